/**
 * The companion manager process: started by the master with a state
 * directory, it stops whatever a previous manager left running, opens the
 * control socket, starts the companions and supervises them until it is
 * told to stop or its master is gone.
 */
import { hostname } from "node:os";
import { createSystemClock, type Clock } from "../supervise/clock.ts";
import { hashCompanionConfig } from "../config/hash.ts";
import type { CompanionCommand, Request, Reply } from "../control/protocol.ts";
import { startControlServer, type ControlServer, type StreamingReply } from "../control/server.ts";
import { createCompanionOutputs, type CompanionOutputs } from "../companion/output.ts";
import { wantsColour } from "../runtime/tty.ts";
import { createLogsHandler } from "./manager-logs.ts";
import { errorMessage, FatalError } from "../errors.ts";
import { createLogger, type Logger } from "../log.ts";
import { formatSelfCommand, parseSignal, type Runtime, type ProcessInfo, type Processes, type Output } from "../runtime/index.ts";
import { EXIT_OK, MANAGER_FATAL_EXIT_CODE } from "../exit-codes.ts";
import { createChurnCollector, type ChurnCollector } from "../companion/churn-gc.ts";
import { userEnv } from "../gc-timer.ts";
import { createCompanionSupervisor, type CompanionSupervisor } from "../companion/supervisor.ts";
import { groupAlive, stopOrphans } from "../companion/orphans.ts";
import { createFilePidRegistry } from "../companion/pid-registry.ts";
import { STATE_MARKER } from "../companion/marked.ts";
import { createReportFiles, readManagerState, releaseStateDir, statePaths, writeRunningConfig, type ManagerState } from "../companion/state-dir.ts";
import { createMetricsSource, startMetricsEndpoint, type MetricsEndpoint } from "./manager-metrics.ts";
import { rereadInChild } from "./config-child.ts";
import { createStatusCache, toCommandReply, toRereadReply, toResultsReply, toStatusReply } from "./manager-replies.ts";

/** Handles control requests against the companions; `reread` loads and applies, all or nothing. */
function createRequestHandler(
  runtime: ProcessInfo & Processes & Output,
  companions: CompanionSupervisor,
  outputs: CompanionOutputs,
  state: ManagerState,
  stateDir: string,
  log: Logger,
  clock: Clock,
  churn: ChurnCollector,
) {
  const statusCache = createStatusCache(companions, clock);
  const logs = createLogsHandler(companions, outputs);
  let rereads: Promise<unknown> = Promise.resolve();

  async function reread(): Promise<Reply> {
    if (companions.shuttingDown) return { ok: false, error: "the manager is shutting down" };
    let loaded: Awaited<ReturnType<typeof rereadInChild>>;
    try {
      // Imported in a child process: the manager's memory does not grow with rereads.
      loaded = await rereadInChild(runtime, stateDir);
    } catch (error) {
      churn.churn();
      log.error(`reread failed, keeping the running config: ${errorMessage(error)}`);
      return { ok: false, error: `invalid config: ${errorMessage(error)}`, kept_old_config: true };
    }
    // The child's handles and output are garbage now (collected at most once a second, like companion churn).
    churn.churn();
    for (const warning of loaded.warnings) log.warn(warning);
    const { companion } = loaded;
    if (companion.control_socket !== companions.config.control_socket || companion.control_socket_mode !== companions.config.control_socket_mode) {
      log.warn("companion_control_socket and its mode change only when the manager restarts (HUP to the master)");
      companion.control_socket = companions.config.control_socket;
      companion.control_socket_mode = companions.config.control_socket_mode;
    }
    if (companion.metrics_bind !== companions.config.metrics_bind) {
      log.warn("companion_metrics_bind changes only when the manager restarts (HUP to the master)");
      companion.metrics_bind = companions.config.metrics_bind;
    }
    if (JSON.stringify(companion.lease) !== JSON.stringify(companions.config.lease)) {
      log.warn("companion_lease_url, companion_cluster and companion_lease_ttl change only when the manager restarts (HUP to the master)");
      companion.lease = companions.config.lease;
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

  return async (request: Request): Promise<Reply | Uint8Array | StreamingReply> => {
    switch (request.cmd) {
      case "status":
        // The common case, a full status without an id, is served from the cached line.
        return request.names === undefined && request.id === undefined
          ? statusCache.line()
          : toStatusReply(companions.status(request.names), clock.now(), (name) => companions.leaseOf(name));
      case "reread": {
        // One reread at a time, in the order they arrived.
        const result = rereads.then(reread);
        rereads = result.catch(() => {});
        return result;
      }
      case "logs":
        return logs(request);
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
  const env = runtime.env();
  const outputs = createCompanionOutputs({
    write: (stream, bytes) => runtime.write(stream, bytes),
    colour: { stdout: wantsColour("stdout", env), stderr: wantsColour("stderr", env) },
    clock,
    warn: (name, message) => log.withTag(`companion:${name}`).warn(message),
  });
  // Only a config with singletons' leases loads the Redis client.
  const lease = state.companion.lease;
  const leases =
    lease === null
      ? null
      : await (await import("../companion/lease/open.ts")).openLeases(lease, { host: hostname(), pid: runtime.pid, launchId: state.launchId }, clock, {
          onAcquired: (name, token) => {
            log.withTag(`companion:${name}`).info(`lease acquired (token ${token})`);
            companions.leaseEvent(name, { type: "lease-acquired" });
          },
          onLost: (name, timeoutMs) => companions.leaseEvent(name, { type: "lease-lost", timeoutMs }),
          onChange: () => {},
        });
  const companions: CompanionSupervisor = createCompanionSupervisor({
    leases: leases ?? undefined,
    runtime,
    clock,
    onChildExit: () => churn.churn(),
    log,
    registry,
    // The marker finds a companion even if this manager dies before its pid record is written (marked.ts).
    baseEnv: { ...userEnv(runtime.env()), [STATE_MARKER]: stateDir },
    reports: createReportFiles(stateDir),
    output: outputs,
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
  for (const signal of ["SIGHUP", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGWINCH"] as const) runtime.onSignal(signal, () => {});
  // The master forwards its USR1 (logrotate moved the files): every companion log file is reopened.
  runtime.onSignal("SIGUSR1", () => {
    log.info("SIGUSR1: reopening companion log files");
    outputs.reopen();
  });
  // Two ways to learn that the master died: the kernel's parent-death signal
  // (Linux, Bun/Deno) and the lifeline pipe on our stdin (everywhere).
  runtime.setParentDeathSignal("SIGTERM");
  runtime.watchStdinClose(() => requestStop(false, true, "the master is gone: stopping companions"));
  if (runtime.ppid() !== state.masterPid) requestStop(false, true, "the master is gone: stopping companions");

  // Before any companion of ours starts, nothing of a previous manager may still run.
  const leftovers = await stopOrphans(runtime, registry, log, false, clock, stateDir);
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
        handle: createRequestHandler(runtime, companions, outputs, state, stateDir, log, clock, churn),
        onError: (message) => log.debug(message),
      });
      log.info(`control socket at ${state.companion.control_socket}`);
    } catch (error) {
      log.error(errorMessage(error));
      return error instanceof FatalError ? MANAGER_FATAL_EXIT_CODE : 1;
    }
  }

  let metrics: MetricsEndpoint | null = null;
  if (stopRequested === null && state.companion.metrics_bind !== null) {
    try {
      metrics = await startMetricsEndpoint(runtime, state.companion.metrics_bind, createMetricsSource(companions, runtime, clock));
      log.info(`metrics at http://${metrics.address}/metrics`);
    } catch (error) {
      log.error(errorMessage(error));
      server?.close();
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
  // Every singleton is stopped: hand their leases over now rather than at expiry.
  await leases?.close();
  server?.close();
  // Stop listening and drop any scraper's connection: nothing is left to report.
  void metrics?.server.stop();
  metrics?.server.forceClose();
  // A grandchild may hold a pipe open for ever: its lines are not waited for long.
  await outputs.close(1000);
  log.info("all companions stopped");
  if (request?.masterGone) releaseStateDir(stateDir);
  return EXIT_OK;
}
