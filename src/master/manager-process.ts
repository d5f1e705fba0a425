/**
 * The master's side of the companion manager: start it, restart it with a
 * backoff when it dies, stop it within a deadline (then SIGKILL), and make
 * sure that no companion of a dead manager survives it.
 */
import { MANAGER_FATAL_EXIT_CODE } from "../exit-codes.ts";
import { managerEnv } from "../gc-timer.ts";
import { stopOrphans } from "../companion/orphans.ts";
import { createFilePidRegistry } from "../companion/pid-registry.ts";
import { statePaths } from "../companion/state-dir.ts";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log.ts";
import { formatSelfCommand, type ChildHandle, type ExitStatus, type Runtime } from "../runtime/index.ts";
import { formatExit } from "../companion/machine.ts";
import { nextManagerBackoff } from "./backoff.ts";

/** How the manager is asked to stop: TERM (companions stop gracefully) or INT (quickly). */
export type StopMode = "graceful" | "quick";

/** The manager child, supervised. */
export interface ManagerProcess {
  /** Starts the manager (once; later restarts are automatic). */
  start(): Promise<void>;
  /** Stops it and everything it ran; SIGKILL after `timeoutSecs`. No restart follows. */
  stop(mode: StopMode, timeoutSecs: number): Promise<void>;
  /** Allows automatic restarts again after a stop (used by a reload). */
  resume(): void;
  readonly pid: number | null;
}

/** Options of `createManagerProcess`. */
export interface ManagerProcessOptions {
  runtime: Runtime;
  stateDir: string;
  log: Logger;
  /** The very first manager could not start at all (its socket is taken, say): the master gives up. */
  onBootFailure(exitCode: number | null): void;
}

/** Creates the supervisor of the manager child. */
export function createManagerProcess(options: ManagerProcessOptions): ManagerProcess {
  const { runtime, stateDir, log } = options;
  const registry = createFilePidRegistry(statePaths(stateDir).pids);
  let child: ChildHandle | null = null;
  let startedAt = 0;
  let backoffSecs: number | null = null;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;
  let stopping = false;
  let firstManager = true;

  async function spawnManager(): Promise<void> {
    restartTimer = null;
    if (stopping) return;
    const argv = formatSelfCommand(runtime.snapshot(), "manager", ["--state-dir", stateDir]);
    let handle: ChildHandle;
    try {
      // stdin is the lifeline: the manager sees end-of-file when we die.
      handle = await runtime.spawn({ argv, env: managerEnv(runtime.env()), stdin: "pipe", stdout: "inherit", stderr: "inherit" });
    } catch (error) {
      log.error(`cannot start the companion manager: ${errorMessage(error)}`);
      scheduleRestart(0);
      return;
    }
    child = handle;
    startedAt = Date.now();
    log.info(`companion manager started (pid ${handle.pid})`);
    void handle.exited.then((status) => onExit(handle, status));
  }

  function scheduleRestart(uptimeSecs: number): void {
    backoffSecs = nextManagerBackoff(backoffSecs, uptimeSecs);
    log.warn(`restarting the companion manager in ${backoffSecs}s`);
    restartTimer = setTimeout(() => void spawnManager(), backoffSecs * 1000);
  }

  function onExit(handle: ChildHandle, status: ExitStatus): void {
    if (child === handle) child = null;
    const wasFirst = firstManager;
    firstManager = false;
    if (stopping) return;
    log.error(`companion manager (pid ${handle.pid}) ${formatExit(status.exitCode, status.signal)}`);
    if (wasFirst && status.exitCode === MANAGER_FATAL_EXIT_CODE) {
      options.onBootFailure(status.exitCode);
      return;
    }
    scheduleRestart((Date.now() - startedAt) / 1000);
  }

  async function waitExit(handle: ChildHandle, ms: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    const exited = await Promise.race([handle.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return exited;
  }

  return {
    get pid() {
      return child?.pid ?? null;
    },
    start: spawnManager,
    resume() {
      stopping = false;
    },
    async stop(mode, timeoutSecs) {
      stopping = true;
      if (restartTimer !== null) clearTimeout(restartTimer);
      restartTimer = null;
      const handle = child;
      let timedOut = false;
      if (handle !== null) {
        handle.kill(mode === "quick" ? "SIGINT" : "SIGTERM");
        if (!(await waitExit(handle, timeoutSecs * 1000))) {
          timedOut = true;
          log.warn(`companion manager did not stop within ${timeoutSecs}s; sending SIGKILL`);
          handle.kill("SIGKILL");
          await handle.exited;
        }
      }
      // Whatever the manager left running (it was killed, or died before):
      // stopped now, gracefully unless its time is already up.
      const left = await stopOrphans(runtime, registry, log, timedOut);
      if (left > 0) log.info(`stopped ${left} companion process group(s) the manager left behind`);
    },
  };
}
