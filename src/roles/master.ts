/**
 * The master (gunicorn's arbiter): loads the config, runs the HTTP workers and
 * one companion manager, and turns signals into actions: TERM graceful stop,
 * INT/QUIT quick stop, HUP reload, TTIN/TTOU one worker more/less, USR1 reopen
 * log files. The two tiers never touch each other: a companion that fails
 * never stops the web tier, a worker that fails never touches the companions.
 */
import { lstatSync, unlinkSync } from "node:fs";
import process from "node:process";
import { releaseStateDir } from "../companion/state-dir.ts";
import { loadConfig, type ConfigSources, type LoadedConfig } from "../config/index.ts";
import { checkControlSocketPath, isSocketLive } from "../control/socket-path.ts";
import { errorMessage, FatalError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.ts";
import { createLogger, type LogFormat, type Logger } from "../log.ts";
import type { Runtime, ProcessInfo, UnixSockets } from "../runtime/index.ts";
import { AppLoadError, loadApp } from "../master/app.ts";
import { readRegularFile, writeFileAtomic } from "../runtime/private-files.ts";
import { createCompanionTier } from "../master/companions.ts";
import { prepareStateDir } from "../master/state.ts";
import type { StopMode } from "../master/manager-process.ts";
import { createMasterWorkerPool } from "../master/worker-pool.ts";
import type { WorkerPool } from "../master/workers.ts";

/** Seconds a quick stop (INT/QUIT) gives the manager before SIGKILL, on top of its own quick stop. */
const QUICK_STOP_GRACE_SECS = 3;

/** Options of `runMaster`. */
export interface MasterOptions {
  sources: ConfigSources;
  logFormat: LogFormat;
}

/** Writes the pid file atomically (a 0640 temporary file renamed over the path: a symlink there is replaced, its target never written). */
function writePidfile(path: string, pid: number): void {
  try {
    writeFileAtomic(path, `${pid}\n`);
  } catch (error) {
    throw new FatalError(`cannot write pidfile ${path}: ${errorMessage(error)}`);
  }
}

function removePidfile(path: string, pid: number): void {
  try {
    // Only our own (a newer master may have taken the file over), and never through a symlink.
    if (lstatSync(path).isFile() && readRegularFile(path)?.trim() === String(pid)) unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Checks what can be checked before anything starts: the app loads (preload_app), the socket is free. */
async function preflight(runtime: ProcessInfo & UnixSockets, loaded: LoadedConfig, log: Logger): Promise<void> {
  const { settings } = loaded;
  if (settings.app !== null && settings.preload_app) {
    try {
      await loadApp(settings.app, runtime.cwd(), runtime);
      log.info(`preloaded ${settings.app}`);
    } catch (error) {
      throw error instanceof AppLoadError ? new FatalError(error.message, 1, { cause: error }) : error;
    }
  }
  const socket = settings.companion_control_socket;
  if (socket !== null) checkControlSocketPath(socket);
  if (socket !== null && (await isSocketLive(runtime, socket))) {
    throw new FatalError(`control socket ${socket} is in use by a running manager; stop it first or choose another companion_control_socket`);
  }
}

/** Runs the master until it is stopped; returns the exit status. */
export async function runMaster(runtime: Runtime, options: MasterOptions): Promise<number> {
  const loaded = await loadConfig(runtime, options.sources);
  let settings = loaded.settings;
  const log: Logger = createLogger({ level: settings.loglevel, format: options.logFormat, pid: runtime.pid }).withTag("master");
  for (const warning of loaded.warnings) log.warn(warning);
  // env_file, once at start: the preloaded app and every child inherit it.
  for (const [key, value] of Object.entries(settings.master_env)) process.env[key] = value;
  if (settings.env_file !== null) log.info(`read ${Object.keys(settings.master_env).length} variable(s) from ${settings.env_file}`);
  await preflight(runtime, loaded, log);
  // Before anything starts: what an earlier master of this config left running is stopped.
  const stateDir = await prepareStateDir(runtime, options.sources, log);
  if (settings.pidfile !== null) writePidfile(settings.pidfile, runtime.pid);

  let exitCode: number = EXIT_OK;
  let stopMode: StopMode | null = null;
  const pendingStops = new Set<Promise<unknown>>();
  let wake: () => void = () => {};
  const stopRequested = new Promise<void>((resolve) => {
    wake = resolve;
  });

  const companions = createCompanionTier({
    runtime,
    stateDir,
    log,
    sources: options.sources,
    logFormat: options.logFormat,
    loaded,
    isStopping: () => stopMode !== null,
    onBootFailure: () => {
      log.error("the companion manager could not start; stopping");
      exitCode = EXIT_FAILURE;
      stop("graceful");
    },
  });
  const workers: WorkerPool | null = settings.app === null ? null : createMasterWorkerPool({ runtime, stateDir, log, logFormat: options.logFormat });

  /** Starts a stop; a quick one may follow a graceful one (it escalates), never the reverse. */
  function stop(mode: StopMode): void {
    if (stopMode === "quick" || stopMode === mode) return;
    stopMode = mode;
    log.info(mode === "graceful" ? "shutting down gracefully" : "shutting down quickly");
    const timeout = mode === "graceful" ? settings.companion_manager_stop_timeout : QUICK_STOP_GRACE_SECS;
    pendingStops.add(companions.stop(mode, timeout));
    if (workers !== null) pendingStops.add(workers.stop(mode));
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
    if ((next.settings.app === null) !== (workers === null)) {
      log.warn("adding or removing the app takes a restart of the master; the workers are left as they are");
    }
    const reloads: Promise<unknown>[] = [companions.reload(next)];
    if (workers !== null && next.settings.app !== null) reloads.push(workers.reload(next.settings));
    await Promise.all(reloads);
    settings = next.settings;
    log.info("reloaded");
  }

  runtime.onSignal("SIGTERM", () => stop("graceful"));
  runtime.onSignal("SIGINT", () => stop("quick"));
  runtime.onSignal("SIGQUIT", () => stop("quick"));
  runtime.onSignal("SIGHUP", () => {
    log.info("SIGHUP: reloading");
    void reload();
  });
  runtime.onSignal("SIGUSR2", () => {
    if (companions.running) log.warn("SIGUSR2 (binary upgrade) is not supported while companions are configured; ignored");
    else log.warn("SIGUSR2 (binary upgrade) is not supported; ignored");
  });
  runtime.onSignal("SIGUSR1", () => {
    log.info("SIGUSR1: reopening log files");
    workers?.reopenLogs();
    companions.reopenLogs();
  });
  runtime.onSignal("SIGTTIN", () => (workers === null ? log.info("SIGTTIN ignored: no app, no HTTP workers") : workers.increment()));
  runtime.onSignal("SIGTTOU", () => (workers === null ? log.info("SIGTTOU ignored: no app, no HTTP workers") : workers.decrement()));
  runtime.onSignal("SIGWINCH", () => {});

  log.info(`master started (pid ${runtime.pid})`);
  try {
    await Promise.all([companions.start(), workers?.start(settings)]);
  } catch (error) {
    // Workers that cannot boot stop the master (and the companions) with the reason.
    stop("graceful");
    await Promise.allSettled([...pendingStops]);
    releaseStateDir(stateDir);
    if (settings.pidfile !== null) removePidfile(settings.pidfile, runtime.pid);
    throw error;
  }

  // Start-up garbage (config loading, module evaluation) is not needed again: return it now.
  runtime.collectGarbage();
  await stopRequested;
  // A quick stop may have joined a graceful one: wait for every one of them.
  while (pendingStops.size > 0) {
    const current = [...pendingStops];
    await Promise.all(current);
    for (const done of current) pendingStops.delete(done);
  }
  releaseStateDir(stateDir);
  if (settings.pidfile !== null) removePidfile(settings.pidfile, runtime.pid);
  log.info("master stopped");
  return exitCode;
}
