/**
 * The master (gunicorn's arbiter): loads the config, runs the companion
 * manager (and, with an app, the HTTP workers), and turns signals into
 * actions: TERM graceful stop, INT/QUIT quick stop, HUP reload.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createStateDir, readManagerState, removeStateDir, writeManagerState, type ManagerState } from "../companion/state-dir.ts";
import { companionConfigOf, hashCompanionConfig, loadConfig, type ConfigSources, type LoadedConfig } from "../config/index.ts";
import { isSocketLive } from "../control/socket-path.ts";
import { errorMessage, FatalError } from "../errors.ts";
import { createLogger, type LogFormat, type Logger } from "../log.ts";
import type { Runtime } from "../runtime/index.ts";
import { createManagerProcess, type ManagerProcess } from "./manager-process.ts";

/** Seconds a quick stop (INT/QUIT) gives the manager before SIGKILL, on top of its own quick stop. */
const QUICK_STOP_GRACE_SECS = 3;

/** Options of `runMaster`. */
export interface MasterOptions {
  sources: ConfigSources;
  logFormat: LogFormat;
}

function managerStateOf(runtime: Runtime, loaded: LoadedConfig, sources: ConfigSources, logFormat: LogFormat): ManagerState {
  const companion = companionConfigOf(loaded.settings);
  return {
    masterPid: runtime.pid,
    logLevel: loaded.settings.loglevel,
    logFormat,
    sources,
    mainCompanionSettings: loaded.mainCompanionSettings,
    companion,
    hash: hashCompanionConfig(companion),
  };
}

const wantsManager = (state: ManagerState) => state.companion.companions.length > 0 || state.companion.control_socket !== null;

function writePidfile(path: string, pid: number): void {
  try {
    writeFileSync(path, `${pid}\n`);
  } catch (error) {
    throw new FatalError(`cannot write pidfile ${path}: ${errorMessage(error)}`);
  }
}

function removePidfile(path: string, pid: number): void {
  try {
    // Only our own: a newer master may have taken the file over.
    if (readFileSync(path, "utf8").trim() === String(pid)) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}

/** Runs the master until it is stopped; returns the exit status. */
export async function runMaster(runtime: Runtime, options: MasterOptions): Promise<number> {
  const loaded = await loadConfig(runtime, options.sources);
  let settings = loaded.settings;
  const log: Logger = createLogger({ level: settings.loglevel, format: options.logFormat, pid: runtime.pid }).withTag("master");
  for (const warning of loaded.warnings) log.warn(warning);
  if (settings.app !== null) {
    throw new FatalError(`serving an app (${settings.app}) is not available in this version; run companions only`);
  }
  const socket = settings.companion_control_socket;
  if (socket !== null && (await isSocketLive(runtime, socket))) {
    throw new FatalError(`control socket ${socket} is in use by a running manager; stop it first or choose another companion_control_socket`);
  }
  if (settings.pidfile !== null) writePidfile(settings.pidfile, runtime.pid);

  const stateDir = createStateDir();
  let state = managerStateOf(runtime, loaded, options.sources, options.logFormat);
  writeManagerState(stateDir, state);
  let exitCode = 0;
  let stopMode: "graceful" | "quick" | null = null;
  const pendingStops = new Set<Promise<void>>();
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    wake = resolve;
  });

  const manager: ManagerProcess = createManagerProcess({
    runtime,
    stateDir,
    log,
    onBootFailure: () => {
      log.error("the companion manager could not start; stopping");
      exitCode = 1;
      stop("graceful");
    },
  });
  let managerRunning = wantsManager(state);

  /** Starts a stop; a quick one may follow a graceful one (it escalates), never the reverse. */
  function stop(mode: "graceful" | "quick"): void {
    if (stopMode === "quick" || stopMode === mode) return;
    stopMode = mode;
    log.info(mode === "graceful" ? "shutting down gracefully" : "shutting down quickly");
    const timeout = mode === "graceful" ? settings.companion_manager_stop_timeout : QUICK_STOP_GRACE_SECS;
    pendingStops.add(manager.stop(mode, timeout));
    wake();
  }

  let reloading = false;
  let reloadAgain = false;
  async function reload(): Promise<void> {
    if (reloading) {
      // A burst of HUPs ends in one more reload, not one per signal.
      reloadAgain = true;
      return;
    }
    reloading = true;
    do {
      reloadAgain = false;
      await reloadOnce();
    } while (reloadAgain && stopMode === null);
    reloading = false;
  }

  async function reloadOnce(): Promise<void> {
    let next: LoadedConfig;
    try {
      next = await loadConfig(runtime, options.sources);
    } catch (error) {
      log.error(`reload failed, keeping the running config: ${errorMessage(error)}`);
      return;
    }
    for (const warning of next.warnings) log.warn(warning);
    if (stopMode !== null) return;
    settings = next.settings;
    const nextState = managerStateOf(runtime, next, options.sources, options.logFormat);
    // What the manager runs now, rereads included.
    let runningHash = state.hash;
    try {
      runningHash = readManagerState(stateDir).hash;
    } catch {
      // keep the master's own view
    }
    if (nextState.hash === runningHash && managerRunning === wantsManager(nextState)) {
      log.info("reloaded; companion config unchanged, the manager keeps running");
      return;
    }
    log.info("companion config changed: restarting the companion manager");
    if (managerRunning) await manager.stop("graceful", settings.companion_manager_stop_timeout);
    if (stopMode !== null) return;
    state = nextState;
    writeManagerState(stateDir, state);
    managerRunning = wantsManager(state);
    manager.resume();
    if (managerRunning) await manager.start();
  }

  runtime.onSignal("SIGTERM", () => stop("graceful"));
  runtime.onSignal("SIGINT", () => stop("quick"));
  runtime.onSignal("SIGQUIT", () => stop("quick"));
  runtime.onSignal("SIGHUP", () => {
    log.info("SIGHUP: reloading");
    void reload();
  });
  runtime.onSignal("SIGUSR2", () => {
    if (managerRunning) log.warn("SIGUSR2 (binary upgrade) is not supported while companions are configured; ignored");
    else log.warn("SIGUSR2 (binary upgrade) is not supported; ignored");
  });
  runtime.onSignal("SIGUSR1", () => log.info("SIGUSR1: reopening log files"));
  runtime.onSignal("SIGTTIN", () => log.info("SIGTTIN ignored: no HTTP workers are configured"));
  runtime.onSignal("SIGTTOU", () => log.info("SIGTTOU ignored: no HTTP workers are configured"));
  runtime.onSignal("SIGWINCH", () => {});

  log.info(`master started (pid ${runtime.pid})`);
  if (managerRunning) await manager.start();
  else log.info("no companions and no control socket configured; the master runs without a companion manager");

  await stopRequested;
  // A quick stop may have joined a graceful one: wait for every one of them.
  while (pendingStops.size > 0) {
    const current = [...pendingStops];
    await Promise.all(current);
    for (const done of current) pendingStops.delete(done);
  }
  removeStateDir(stateDir);
  if (settings.pidfile !== null) removePidfile(settings.pidfile, runtime.pid);
  log.info("master stopped");
  return exitCode;
}
