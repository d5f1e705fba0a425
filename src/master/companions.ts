/**
 * The master's companion tier: the manager child and the config it runs with.
 * A reload restarts the manager only when the companion config changed.
 */
import { readManagerState, writeManagerState, type ManagerState } from "../companion/state-dir.ts";
import { companionConfigOf, hashCompanionConfig, type ConfigSources, type LoadedConfig } from "../config/index.ts";
import type { LogFormat, Logger } from "../log.ts";
import type { Runtime } from "../runtime/index.ts";
import { createManagerProcess, type StopMode } from "./manager-process.ts";

/** The companion manager as the master sees it. */
export interface CompanionTier {
  /** True when companions or a control socket are configured. */
  readonly running: boolean;
  start(): Promise<void>;
  /** Applies a newly loaded config: restarts the manager if the companion part changed. */
  reload(next: LoadedConfig): Promise<void>;
  stop(mode: StopMode, timeoutSecs: number): Promise<void>;
}

/** Options of `createCompanionTier`. */
export interface CompanionTierOptions {
  runtime: Runtime;
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
  const stateOf = (loaded: LoadedConfig): ManagerState => {
    const companion = companionConfigOf(loaded.settings);
    return {
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
  const manager = createManagerProcess({ runtime, stateDir, log, onBootFailure: options.onBootFailure });

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
      // What the manager runs now, rereads included.
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
      manager.resume();
      if (running) await manager.start();
    },
    stop: (mode, timeoutSecs) => manager.stop(mode, timeoutSecs),
  };
}
