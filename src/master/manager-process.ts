/**
 * The master's side of the companion manager: one child of the supervision
 * kernel, restarted with a backoff (1 s doubling to 30 s, back to 1 s once one
 * stayed up 10 s) when it dies, stopped within a deadline (then SIGKILL), and
 * followed by a sweep of whatever companions a dead manager left running.
 */
import { MANAGER_FATAL_EXIT_CODE } from "../exit-codes.ts";
import { createQuietLogger, type Logger } from "../log.ts";
import { formatExit, type Processes } from "../runtime/index.ts";
import type { Clock } from "../supervise/clock.ts";
import { createSupervisor } from "../supervise/interpreter.ts";
import type { ChildSpec } from "../supervise/machine.ts";
import { backoff } from "../supervise/policy.ts";

/** How the manager is asked to stop: TERM (companions stop gracefully) or INT (quickly). */
export type StopMode = "graceful" | "quick";

/** The first delay before a manager that died is started again. */
export const MANAGER_BACKOFF_INITIAL_SECS = 1;
/** The longest delay between manager restarts. */
export const MANAGER_BACKOFF_MAX_SECS = 30;
/** A manager that stayed up this long resets the backoff to its first step. */
export const MANAGER_STABLE_SECS = 10;

/** The manager's restart policy. */
export const MANAGER_RESTART = backoff(MANAGER_BACKOFF_INITIAL_SECS * 1000, MANAGER_BACKOFF_MAX_SECS * 1000, MANAGER_STABLE_SECS * 1000);

/** The manager as a child: stopped only by `stop`, which says how long it gets. */
const MANAGER_SPEC: ChildSpec = {
  name: "manager",
  stop_signal: "SIGTERM",
  stop_timeout: Number.POSITIVE_INFINITY,
  reload_timeout: Number.POSITIVE_INFINITY,
  startsecs: 0,
};

/** The manager child, supervised. */
export interface ManagerProcess {
  /** Starts the manager (again after a stop); later restarts are automatic. Resolves once it is spawned (or its spawn failed). */
  start(): Promise<void>;
  /** Stops it and everything it ran; SIGKILL after `timeoutSecs`. No restart follows. */
  stop(mode: StopMode, timeoutSecs: number): Promise<void>;
  readonly pid: number | null;
}

/** Options of `createManagerProcess`. */
export interface ManagerProcessOptions {
  runtime: Processes;
  clock: Clock;
  log: Logger;
  /** The manager's argv (this program in its manager role) and environment. */
  argv: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Stops the companions a dead manager left running (SIGKILL at once when `killNow`); returns how many groups. */
  stopLeftovers(killNow: boolean): Promise<number>;
  /** The very first manager could not start at all (its socket is taken, say): the master gives up. */
  onBootFailure(exitCode: number | null): void;
}

/** Creates the supervisor of the manager child. */
export function createManagerProcess(options: ManagerProcessOptions): ManagerProcess {
  const { log } = options;
  // The machine's own lines are for debugging; the master says what matters in its own words below.
  const machineLog = createQuietLogger(log, () => "companion manager");
  let exits = 0;
  let stopTimeoutSecs = 0;
  // The retry announced last: onChange runs on every change, the log line once per BACKOFF.
  let announcedRetryAt: number | null = null;

  const supervisor = createSupervisor(options, {
    group: false,
    logFor: () => machineLog,
    // stdin is the lifeline: the manager sees end-of-file when we die.
    spawnOptions: () => ({ argv: options.argv, env: options.env, stdin: "pipe", stdout: "inherit", stderr: "inherit" }),
    onSpawned: (_name, child) => log.info(`companion manager started (pid ${child.pid})`),
    onExited(_name, child, _spec, status) {
      exits += 1;
      const record = supervisor.get(MANAGER_SPEC.name);
      if (record?.state === "STOPPING") return;
      log.error(`companion manager (pid ${child.pid}) ${formatExit(status.exitCode, status.signal)}`);
      if (exits === 1 && status.exitCode === MANAGER_FATAL_EXIT_CODE) {
        // Not worth a retry: the master gives up (after the machine has heard of the exit).
        queueMicrotask(() => {
          supervisor.dispatch(MANAGER_SPEC.name, { type: "stop" });
          options.onBootFailure(status.exitCode);
        });
      }
    },
    onChange(name) {
      const record = supervisor.get(name);
      if (record === undefined) return;
      if (record.state === "BACKOFF" && record.nextRetryAt !== announcedRetryAt) {
        log.warn(`restarting the companion manager in ${(record.lastDelayMs ?? 0) / 1000}s`);
      }
      announcedRetryAt = record.nextRetryAt;
    },
    onKilled() {
      log.warn(`companion manager did not stop within ${stopTimeoutSecs}s; sending SIGKILL`);
    },
  });
  supervisor.add(MANAGER_SPEC, MANAGER_RESTART);

  const until = supervisor.until;
  const record = () => supervisor.get(MANAGER_SPEC.name);

  return {
    get pid() {
      return record()?.pid ?? null;
    },
    async start() {
      supervisor.dispatch(MANAGER_SPEC.name, { type: "start" });
      await until(() => record()?.spawning !== true);
    },
    async stop(mode, timeoutSecs) {
      stopTimeoutSecs = timeoutSecs;
      const killsBefore = record()?.killCount ?? 0;
      supervisor.dispatch(MANAGER_SPEC.name, { type: "shutdown", timeoutMs: timeoutSecs * 1000, signal: mode === "quick" ? "SIGINT" : "SIGTERM" });
      await until(() => record()?.state === "STOPPED" && record()?.spawning !== true);
      const timedOut = (record()?.killCount ?? 0) > killsBefore;
      // Whatever the manager left running (it was killed, or died before):
      // stopped now, gracefully unless its time is already up.
      const left = await options.stopLeftovers(timedOut);
      if (left > 0) log.info(`stopped ${left} companion process group(s) the manager left behind`);
    },
  };
}
