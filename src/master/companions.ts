/**
 * The master's companion tier: the manager child and the config it runs with.
 * A reload restarts the manager only when the companion config changed.
 */
import { readManagerState, writeManagerState, type ManagerState } from "../companion/state-dir.ts";
import { companionConfigOf, hashCompanionConfig, type ConfigSources, type LoadedConfig } from "../config/index.ts";
import type { LogFormat, Logger } from "../log.ts";
import { formatSelfCommand, type ProcessInfo, type Processes } from "../runtime/index.ts";
import { stopOrphans } from "../companion/orphans.ts";
import { createFilePidRegistry } from "../companion/pid-registry.ts";
import { statePaths } from "../companion/state-dir.ts";
import { managerEnv } from "../gc-timer.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { createManagerProcess, type StopMode } from "./manager-process.ts";

/** The companion manager as the master sees it. */
export interface CompanionTier {
  /** True when companions or a control socket are configured. */
  readonly running: boolean;
  start(): Promise<void>;
  /** Applies a newly loaded config: restarts the manager if the companion part changed. */
  reload(next: LoadedConfig): Promise<void>;
  stop(mode: StopMode, timeoutSecs: number): Promise<void>;
  /** Passes USR1 on to the manager, which reopens the companions' log files. */
  reopenLogs(): void;
}

/** Options of `createCompanionTier`. */
export interface CompanionTierOptions {
  runtime: ProcessInfo & Processes;
  stateDir: string;
  log: Logger;
  sources: ConfigSources;
  logFormat: LogFormat;
  loaded: LoadedConfig;
  onBootFailure(): void;
  /** True once the master is stopping: a reload must not start a manager any more. */
  isStopping(): boolean;
}

/** Creates the tier and writes what the manager will start from. */
export function createCompanionTier(options: CompanionTierOptions): CompanionTier {
  const { runtime, stateDir, log } = options;
  let launches = 0;
  const stateOf = (loaded: LoadedConfig): ManagerState => {
    const companion = companionConfigOf(loaded.settings);
    return {
      launchId: ++launches,
      masterPid: runtime.pid,
      logLevel: loaded.settings.loglevel,
      logFormat: options.logFormat,
      sources: options.sources,
      mainCompanionSettings: loaded.mainCompanionSettings,
      companion,
      hash: hashCompanionConfig(companion),
    };
  };
  const wanted = (state: ManagerState) => state.companion.companions.length > 0 || state.companion.control_socket !== null;
  let state = stateOf(options.loaded);
  writeManagerState(stateDir, state);
  let running = wanted(state);
  const registry = createFilePidRegistry(statePaths(stateDir).pids);
  const manager = createManagerProcess({
    runtime,
    clock: createSystemClock(),
    log,
    argv: formatSelfCommand(runtime.snapshot(), "manager", ["--state-dir", stateDir]),
    env: managerEnv(runtime.env()),
    stopLeftovers: (killNow) => stopOrphans(runtime, registry, log, killNow, createSystemClock(), stateDir),
    onBootFailure: options.onBootFailure,
  });

  return {
    get running() {
      return running;
    },
    async start() {
      if (running) await manager.start();
      else log.info("no companions and no control socket configured: no companion manager");
    },
    async reload(next) {
      const nextState = stateOf(next);
      // What the manager runs now, rereads included (its running.json over our manager.json).
      let runningHash = state.hash;
      try {
        runningHash = readManagerState(stateDir).hash;
      } catch {
        // keep the master's own view
      }
      if (nextState.hash === runningHash && running === wanted(nextState)) {
        log.info("companion config unchanged, the manager keeps running");
        return;
      }
      log.info("companion config changed: restarting the companion manager");
      if (running) await manager.stop("graceful", next.settings.companion_manager_stop_timeout);
      if (options.isStopping()) return;
      state = nextState;
      writeManagerState(stateDir, state);
      running = wanted(state);
      if (running) await manager.start();
    },
    stop: (mode, timeoutSecs) => manager.stop(mode, timeoutSecs),
    reopenLogs() {
      const pid = manager.pid;
      if (pid !== null) runtime.kill(pid, "SIGUSR1");
    },
  };
}
