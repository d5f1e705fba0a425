/**
 * The one "stop within a deadline": send the stop signal, and SIGKILL once the
 * deadline passes on the clock unless the process (or group) is gone by then.
 * Companions, HTTP workers, the manager, leftover groups and orphans all stop
 * through it.
 */
import type { Clock, TimerHandle } from "./clock.ts";

/** What `stopWithin` needs. */
export interface StopWithinOptions {
  clock: Clock;
  /** Sends the stop signal (to the process or its group). */
  signal(): void;
  /** Sends SIGKILL. */
  kill(): void;
  /** Settles once what is being stopped is gone. */
  gone: Promise<unknown>;
  /** Milliseconds between the stop signal and SIGKILL (0: on the next timer tick; Infinity: never). */
  timeoutMs: number;
  /** Called once, as SIGKILL goes out (logs, kill counts). */
  onKill?(): void;
}

/** A stop under way. */
export interface Stopping {
  /** Settles once it is gone; `killed` says whether SIGKILL was needed. */
  readonly done: Promise<{ killed: boolean }>;
  /** Brings SIGKILL closer: due at most `timeoutMs` from now (never later than it already was). */
  hurry(timeoutMs: number): void;
}

/** Starts a stop: the stop signal now, SIGKILL at the deadline unless it is gone. */
export function stopWithin(options: StopWithinOptions): Stopping {
  const { clock } = options;
  let killed = false;
  let gone = false;
  let timer: TimerHandle | null = null;
  let deadline = Number.POSITIVE_INFINITY;

  const kill = () => {
    timer = null;
    if (gone || killed) return;
    killed = true;
    options.onKill?.();
    options.kill();
  };
  const arm = (timeoutMs: number) => {
    const at = clock.now() + Math.max(0, timeoutMs);
    if (killed || gone || at >= deadline) return;
    deadline = at;
    if (timer !== null) clock.clearTimer(timer);
    timer = clock.setTimer(kill, Math.max(0, timeoutMs));
  };

  const done = options.gone.then(
    () => ({ killed }),
    () => ({ killed }),
  );
  void done.then(() => {
    gone = true;
    if (timer !== null) clock.clearTimer(timer);
    timer = null;
  });
  options.signal();
  if (Number.isFinite(options.timeoutMs)) arm(options.timeoutMs);
  return { done, hurry: (timeoutMs) => (timeoutMs <= 0 ? kill() : arm(timeoutMs)) };
}
