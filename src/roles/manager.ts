/**
 * The companion manager process: started by the master with a state
 * directory, it stops whatever a previous manager left running, opens the
 * control socket, starts the companions and supervises them until it is
 * told to stop or its master is gone.
 */
import { createSystemClock, type Clock } from "../supervise/clock.ts";
import { hashCompanionConfig } from "../config/hash.ts";
import { reloadCompanionConfig } from "../config/load.ts";
import type { CompanionCommand, Request, Reply } from "../control/protocol.ts";
import { startControlServer, type ControlServer } from "../control/server.ts";
import { errorMessage, FatalError } from "../errors.ts";
import { createLogger, type Logger } from "../log.ts";
import { formatSelfCommand, parseSignal, type Runtime, type ProcessInfo, type Modules } from "../runtime/index.ts";
import { EXIT_OK, MANAGER_FATAL_EXIT_CODE } from "../exit-codes.ts";
import { createChurnCollector } from "../companion/churn-gc.ts";
import { userEnv } from "../gc-timer.ts";
import { createCompanionSupervisor, type CompanionSupervisor } from "../companion/supervisor.ts";
import { groupAlive, stopOrphans } from "../companion/orphans.ts";
import { createFilePidRegistry } from "../companion/pid-registry.ts";
import { createReportFiles, readManagerState, removeStateDir, statePaths, writeRunningConfig, type ManagerState } from "../companion/state-dir.ts";
import { createStatusCache, toCommandReply, toRereadReply, toResultsReply, toStatusReply } from "./manager-replies.ts";

/** Handles control requests against the companions; `reread` loads and applies, all or nothing. */
function createRequestHandler(runtime: ProcessInfo & Modules, companions: CompanionSupervisor, state: ManagerState, stateDir: string, log: Logger, clock: Clock) {
  const statusCache = createStatusCache(companions, clock);
  let rereads: Promise<unknown> = Promise.resolve();

  async function reread(): Promise<Reply> {
    if (companions.shuttingDown) return { ok: false, error: "the manager is shutting down" };
    let loaded: Awaited<ReturnType<typeof reloadCompanionConfig>>;
    try {
      loaded = await reloadCompanionConfig(runtime, state.sources, state.mainCompanionSettings);
    } catch (error) {
      log.error(`reread failed, keeping the running config: ${errorMessage(error)}`);
      return { ok: false, error: `invalid config: ${errorMessage(error)}`, kept_old_config: true };
    }
    for (const warning of loaded.warnings) log.warn(warning);
    const { companion } = loaded;
    if (companion.control_socket !== companions.config.control_socket || companion.control_socket_mode !== companions.config.control_socket_mode) {
      log.warn("companion_control_socket and its mode change only when the manager restarts (HUP to the master)");
      companion.control_socket = companions.config.control_socket;
      companion.control_socket_mode = companions.config.control_socket_mode;
    }
    const reply = toRereadReply(companions.apply(companion));
    // Persist what now runs, so a restarted manager and the master's HUP see it.
    state.companion = companion;
    state.hash = hashCompanionConfig(companion);
    writeRunningConfig(stateDir, { launchId: state.launchId, companion, hash: state.hash });
    log.info(`reread: added ${reply.added.length}, removed ${reply.removed.length}, restarted ${reply.restarted.length}, unchanged ${reply.unchanged.length}`);
    return reply;
  }

  /** start, stop, restart or signal for one member. */
  async function one(request: CompanionCommand, name: string) {
    if (request.cmd !== "signal") return companions.command(request.cmd, name, request.wait);
    const signal = parseSignal(request.signal);
    return signal === null ? { ok: false as const, error: `unknown signal ${JSON.stringify(request.signal)}` } : companions.signal(name, signal);
  }

  /** A command for a member, a group or `all`: one record keeps the single reply; several get per-member results. */
  async function command(request: CompanionCommand): Promise<Reply> {
    const resolved = companions.resolve(request.name);
    if (!resolved.ok) return { ok: false, error: resolved.error };
    if (!resolved.several) return toCommandReply(await one(request, resolved.names[0] as string));
    return toResultsReply(resolved.names, await Promise.all(resolved.names.map((name) => one(request, name))));
  }

  return async (request: Request): Promise<Reply | Uint8Array> => {
    switch (request.cmd) {
      case "status":
        // The common case, a full status without an id, is served from the cached line.
        return request.names === undefined && request.id === undefined ? statusCache.line() : toStatusReply(companions.status(request.names), clock.now());
      case "reread": {
        // One reread at a time, in the order they arrived.
        const result = rereads.then(reread);
        rereads = result.catch(() => {});
        return result;
      }
      default:
        return command(request);
    }
  };
}

/** Runs the manager role until shutdown; returns the exit status. */
export async function runManagerRole(runtime: Runtime, stateDir: string): Promise<number> {
  const state = readManagerState(stateDir);
  const log = createLogger({ level: state.logLevel, format: state.logFormat, pid: runtime.pid }).withTag("manager");
  const registry = createFilePidRegistry(statePaths(stateDir).pids);
  const snapshot = runtime.snapshot();
  const clock = createSystemClock();
  const churn = createChurnCollector(clock, () => runtime.collectGarbage());
  const companions = createCompanionSupervisor({
    runtime,
    clock,
    onChildExit: () => churn.churn(),
    log,
    registry,
    baseEnv: userEnv(runtime.env()),
    reports: createReportFiles(stateDir),
    groupAlive: (pgid) => groupAlive(runtime, pgid),
    companionArgv: (name, target, reportFile) =>
      formatSelfCommand(snapshot, "companion", [name, target, ...(reportFile === null ? [] : ["--report", reportFile])]),
  });

  let stopRequested: { quick: boolean; masterGone: boolean } | null = null;
  let wake: () => void = () => {};
  const requestStop = (quick: boolean, masterGone: boolean, why: string) => {
    const first = stopRequested === null;
    const escalates = !first && quick && !stopRequested?.quick;
    stopRequested = { quick: quick || (stopRequested?.quick ?? false), masterGone: masterGone || (stopRequested?.masterGone ?? false) };
    if (!first && !escalates) return;
    log.info(why);
    // A quick stop during a graceful one brings every SIGKILL closer.
    if (escalates && companions.shuttingDown) void companions.shutdown(true);
    wake();
  };
  runtime.onSignal("SIGTERM", () => requestStop(false, false, "SIGTERM: stopping companions"));
  runtime.onSignal("SIGINT", () => requestStop(true, false, "SIGINT: stopping companions quickly"));
  runtime.onSignal("SIGQUIT", () => requestStop(true, false, "SIGQUIT: stopping companions quickly"));
  // Signals meant for the master reach us too when sent to its process group; they must not kill us.
  for (const signal of ["SIGHUP", "SIGUSR1", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGWINCH"] as const) runtime.onSignal(signal, () => {});
  // Two ways to learn that the master died: the kernel's parent-death signal
  // (Linux, Bun/Deno) and the lifeline pipe on our stdin (everywhere).
  runtime.setParentDeathSignal("SIGTERM");
  runtime.watchStdinClose(() => requestStop(false, true, "the master is gone: stopping companions"));
  if (runtime.ppid() !== state.masterPid) requestStop(false, true, "the master is gone: stopping companions");

  // Before any companion of ours starts, nothing of a previous manager may still run.
  const leftovers = await stopOrphans(runtime, registry, log);
  if (leftovers > 0) log.info(`stopped ${leftovers} companion process group(s) left by a previous manager`);

  let server: ControlServer | null = null;
  if (stopRequested === null && state.companion.control_socket !== null) {
    try {
      server = await startControlServer(runtime, {
        path: state.companion.control_socket,
        mode: state.companion.control_socket_mode,
        // Read at each idle period: a reread that changes it applies to the next one.
        idleTimeoutSecs: () => state.companion.control_idle_timeout,
        clock,
        handle: createRequestHandler(runtime, companions, state, stateDir, log, clock),
        onError: (message) => log.debug(message),
      });
      log.info(`control socket at ${state.companion.control_socket}`);
    } catch (error) {
      log.error(errorMessage(error));
      return error instanceof FatalError ? MANAGER_FATAL_EXIT_CODE : 1;
    }
  }

  if (stopRequested === null) {
    companions.start(state.companion);
    log.info(`started ${state.companion.companions.length} companion(s)`);
    // Start-up garbage (config loading, module evaluation) is not needed again: return it now.
    runtime.collectGarbage();
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }
  const request = stopRequested as { quick: boolean; masterGone: boolean } | null;
  await companions.shutdown(request?.quick ?? false);
  server?.close();
  log.info("all companions stopped");
  if (request?.masterGone) removeStateDir(stateDir);
  return EXIT_OK;
}
