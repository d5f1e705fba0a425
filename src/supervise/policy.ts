/**
 * Restart policies, pure: how long a child waits in BACKOFF before it is
 * started again. A fixed delay (companions' `restart_delay`) or a backoff that
 * doubles up to a cap and starts over once a run lasted (the master's 1 s …
 * 30 s for the manager). See docs/behaviour.md.
 */

/** When a child that exited on its own is started again: always, only after a failure (not after a clean exit 0), or never. */
export type RestartWhen = "always" | "on-failure" | "never";

/** How long a child that exited waits in BACKOFF before it is started again. */
export type DelayPolicy =
  | { readonly kind: "fixed"; readonly delayMs: number }
  | {
      readonly kind: "backoff";
      /** The first delay, and the delay again after a run that lasted `stableMs`. */
      readonly initialMs: number;
      /** The delay doubles per early exit up to this. */
      readonly maxMs: number;
      /** A run at least this long resets the delay to `initialMs`. */
      readonly stableMs: number;
    };

/** How a child that exited on its own is started again: the delay, and (optionally) whether and how often. */
export type RestartPolicy = DelayPolicy & {
  /** Default "always". */
  readonly when?: RestartWhen;
  /** The Nth consecutive exit before the child was up makes it FATAL; null or absent: retry forever. */
  readonly startRetries?: number | null;
};

/** A fixed delay between an exit and the next start. */
export function fixedDelay(delayMs: number): DelayPolicy {
  return { kind: "fixed", delayMs };
}

/** A delay that doubles from `initialMs` up to `maxMs` while runs stay shorter than `stableMs`. */
export function backoff(initialMs: number, maxMs: number, stableMs: number): DelayPolicy {
  return { kind: "backoff", initialMs, maxMs, stableMs };
}

/**
 * The delay before the next start, given the previous delay (null before the
 * first) and how long the last run lasted.
 *
 * @example nextRestartDelay(backoff(1000, 30000, 10000), null, 0)     // 1000
 * @example nextRestartDelay(backoff(1000, 30000, 10000), 4000, 2000)  // 8000
 * @example nextRestartDelay(backoff(1000, 30000, 10000), 30000, 6e4) // 1000
 */
export function nextRestartDelay(policy: RestartPolicy, previousMs: number | null, uptimeMs: number): number {
  if (policy.kind === "fixed") return policy.delayMs;
  if (previousMs === null || uptimeMs >= policy.stableMs) return policy.initialMs;
  return Math.min(previousMs * 2, policy.maxMs);
}

/** The delay a status reports: the one in force, or the one the next exit would get. */
export function currentRestartDelay(policy: RestartPolicy, lastDelayMs: number | null): number {
  if (policy.kind === "fixed") return policy.delayMs;
  return lastDelayMs ?? policy.initialMs;
}

/** Whether an exit (not asked for) is followed by a restart under `policy`. */
export function shouldRestart(policy: RestartPolicy, exitCode: number | null, signal: string | null): boolean {
  switch (policy.when ?? "always") {
    case "always":
      return true;
    case "never":
      return false;
    case "on-failure":
      return signal !== null || exitCode !== 0;
  }
}

/** Whether `failures` consecutive exits before the child was up exhaust its start retries. */
export function startRetriesExhausted(policy: RestartPolicy, failures: number): boolean {
  const limit = policy.startRetries ?? null;
  return limit !== null && failures >= limit;
}
