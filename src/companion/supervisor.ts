/**
 * The companions on the supervision kernel: a record per companion, the
 * commands of the control socket (start, stop, restart and their waits),
 * `status`, applying a reread, and shutdown. Companions lead their own
 * process groups; what a companion leaves behind in its group is stopped too,
 * and every live group is in the pid registry until it is empty. Results are
 * domain outcomes; the manager role turns them into wire replies.
 */
import { hashCompanion } from "../config/hash.ts";
import type { CompanionConfig, ResolvedCompanion } from "../config/resolve.ts";
import { TARGET_LOAD_FAILED_EXIT_CODE } from "../exit-codes.ts";
import type { Logger } from "../log.ts";
import type { Processes } from "../runtime/index.ts";
import type { Clock } from "../supervise/clock.ts";
import { createSupervisor, type Supervisor } from "../supervise/interpreter.ts";
import { DOWN_STATES, type WaitTarget } from "../supervise/machine.ts";
import { backoff, fixedDelay, type RestartPolicy } from "../supervise/policy.ts";
import { createLeftoverGroups } from "./leftover-groups.ts";
import type { PidRegistry } from "./pid-registry.ts";
import { resolveName, resolveNames } from "./names.ts";
import { isOwnLeftoverGroup, readProcessStartTime } from "./proc.ts";
import type { CompanionOutputs } from "./output.ts";
import { companionSpawnOptions } from "./spawn-options.ts";
import { createLeaseSync, standbyReason, type Leases } from "./lease/singletons.ts";
import { settleWait, type WaitOutcome } from "./status.ts";
import type { CompanionRecord, CompanionSupervisor, RereadOutcome } from "./outcomes.ts";

/** In a quick stop (INT/QUIT), companions get their stop signal and SIGKILL after at most this long. */
export const QUICK_STOP_TIMEOUT_MS = 1000;

export type { CommandOutcome, CompanionRecord, CompanionSupervisor, RereadOutcome, StatusOutcome } from "./outcomes.ts";

/** What the companion supervisor needs from the world, injected so tests can use fakes. */
export interface CompanionSupervisorDeps {
  runtime: Processes;
  clock: Clock;
  log: Logger;
  registry: PidRegistry;
  /** The argv that runs a target companion (this program in its companion role); command companions run their own. */
  companionArgv(name: string, target: string, reportFile: string | null): string[];
  /** The environment companions inherit (the manager's own). */
  baseEnv: Readonly<Record<string, string>>;
  /** Whether a process group still has live members (the real probe ignores zombies). */
  groupAlive(pgid: number): boolean;
  /** Whether a leftover group is provably the one its leader (started at `startTime`) led; default: /proc (proc.ts). */
  provenGroup?(pgid: number, startTime: string | null): boolean;
  /** Called when a companion process exits (the manager's hook for work-paced garbage collection). */
  onChildExit?: () => void;
  /** Where a companion writes why its target failed to load, and how to read (and clear) it. */
  reports?: { path(name: string): string; take(path: string): string | null };
  /** Where output goes (the manager's pipes, rings and log files); without it the child writes to its targets itself. */
  output?: CompanionOutputs;
  /** The leases of singleton companions (docs/multi-host.md); none when companion_lease_url is unset. */
  leases?: Leases;
}

/**
 * How long an exit waits for the process's pipes to end: longer only when
 * something it started still holds them (docs/logging.md).
 */
const EXIT_OUTPUT_GRACE_MS = 250;

/** A companion's restart policy: its restart_policy and start_retries, a fixed delay or one that doubles up to restart_delay_max. */
export function companionRestartPolicy(spec: ResolvedCompanion): RestartPolicy {
  const delayMs = Math.round(spec.restart_delay * 1000);
  const maxMs = Math.round(spec.restart_delay_max * 1000);
  // The doubling starts over once a run lasts longer than the max.
  const delay = maxMs > delayMs ? backoff(delayMs, maxMs, maxMs) : fixedDelay(delayMs);
  return { ...delay, when: spec.restart_policy, startRetries: spec.start_retries };
}

/** Creates the companion supervisor; nothing runs until `start`. */
export function createCompanionSupervisor(deps: CompanionSupervisorDeps): CompanionSupervisor {
  const { clock, log, registry } = deps;
  const waiters = new Map<string, Array<{ target: WaitTarget; resolve: (outcome: WaitOutcome) => void }>>();
  const reportFiles = new Map<string, string | null>();
  let config: CompanionConfig = { companions: [], control_socket: null, control_socket_mode: 0o600, control_idle_timeout: 60, restart_delay: 5, metrics_bind: null, log_prefix: true, log_buffer: 0, lease: null };
  let shuttingDown = false;
  let shutdownDone: (() => void) | null = null;
  let settingsVersion = 0;

  const logs = new Map<string, Logger>();
  const logFor = (name: string) => {
    let tagged = logs.get(name);
    if (tagged === undefined) logs.set(name, (tagged = log.withTag(`companion:${name}`)));
    return tagged;
  };

  // The start time of each live group's leader, to prove a group's identity before a signal.
  const startTimes = new Map<number, string | null>();
  // Process groups whose leader exited but not every member; the pid file goes once a group is empty.
  const leftovers = createLeftoverGroups({
    clock,
    groupAlive: deps.groupAlive,
    signalGroup(_name, pgid, signal) {
      // Its leader is reaped, so its pid is free: only a group that is provably still that one gets a signal.
      if (!(deps.provenGroup ?? isOwnLeftoverGroup)(pgid, startTimes.get(pgid) ?? null)) return;
      try {
        deps.runtime.kill(-pgid, signal);
      } catch {
        // gone, or no longer ours
      }
    },
    warn: (name, message) => logFor(name).warn(message),
    onEmpty(pgid) {
      startTimes.delete(pgid);
      registry.remove(pgid);
      checkShutdownDone();
    },
  });

  const supervisor: Supervisor<ResolvedCompanion> = createSupervisor(deps, {
    group: true,
    logFor,
    spawnOptions(name, spec) {
      // Only a target companion (this program) writes a report of why it could not load.
      const reportFile = spec.target === null ? null : (deps.reports?.path(name) ?? null);
      if (reportFile !== null) deps.reports?.take(reportFile);
      reportFiles.set(name, reportFile);
      const stdio = deps.output?.prepare(name, spec);
      const options = companionSpawnOptions(spec, deps.baseEnv, (target) => deps.companionArgv(name, target, reportFile), stdio);
      return { ...options, env: leaseSync.env(name, options.env ?? {}) };
    },
    onSpawned(name, child, spec) {
      deps.output?.attach(name, child);
      const startTime = readProcessStartTime(child.pid);
      startTimes.set(child.pid, startTime);
      registry.add({ name, pid: child.pid, stop_signal: spec.stop_signal, stop_timeout: spec.stop_timeout, start_time: startTime });
    },
    // The exit counts once its last output is in its file or the master's stream (`stop --wait` then finds it there).
    settleExit: (_name, child) => deps.output?.drained(child, EXIT_OUTPUT_GRACE_MS),
    onExited(name, child, spec, status) {
      leftovers.watch(name, child.pid, spec.stop_signal, spec.stop_timeout);
      deps.onChildExit?.();
      const reportFile = reportFiles.get(name) ?? null;
      const reason = status.exitCode === TARGET_LOAD_FAILED_EXIT_CODE && reportFile !== null ? (deps.reports?.take(reportFile) ?? null) : null;
      // A target that cannot be loaded (its process wrote why) will not load on the next try either.
      return { reason, fatal: reason !== null };
    },
    onChange(name) {
      if (supervisor.get(name) === undefined) {
        logs.delete(name);
        reportFiles.delete(name);
        deps.output?.forget(name);
      }
      leaseSync.sync(name);
      settleWaiters(name);
      checkShutdownDone();
    },
  });
  const leaseSync = createLeaseSync(deps.leases, (name) => supervisor.get(name));

  function settleWaiters(name: string): void {
    const list = waiters.get(name);
    if (list === undefined) return;
    const record = supervisor.get(name) ?? null;
    const remaining = list.filter((waiter) => {
      const outcome = settleWait(waiter.target, record, clock.now());
      if (outcome !== null) waiter.resolve(outcome);
      return outcome === null;
    });
    if (remaining.length === 0) waiters.delete(name);
    else waiters.set(name, remaining);
  }

  function checkShutdownDone(): void {
    if (shutdownDone === null) return;
    for (const record of supervisor.records()) if (!DOWN_STATES.includes(record.state) || record.spawning) return;
    if (leftovers.size > 0) return;
    const done = shutdownDone;
    shutdownDone = null;
    done();
  }

  function waitFor(name: string, target: WaitTarget): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const list = waiters.get(name) ?? [];
      list.push({ target, resolve });
      waiters.set(name, list);
      settleWaiters(name);
    });
  }

  const members = () => [...supervisor.records()].map((record) => ({ name: record.name, group: record.spec.group }));

  function addRecord(spec: ResolvedCompanion): void {
    supervisor.add(spec, companionRestartPolicy(spec));
    supervisor.dispatch(spec.name, { type: "start" });
  }

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    get config() {
      return config;
    },
    get version() {
      return supervisor.version + settingsVersion;
    },

    start(initial) {
      config = initial;
      deps.output?.configure(initial);
      for (const spec of initial.companions) addRecord(spec);
    },

    status(names) {
      const resolved = resolveNames(names, members());
      if (!resolved.ok) return resolved;
      return { ok: true, records: resolved.names.map((name) => supervisor.get(name) as CompanionRecord) };
    },

    resolve: (name) => resolveName(name, members()),

    signal(name, signal) {
      const record = supervisor.get(name);
      if (record === undefined) return { ok: false, error: `unknown companion "${name}"` };
      // Where the stop signal goes: the companion's process group.
      if (record.pid === null || !deps.runtime.kill(-record.pid, signal)) return { ok: false, error: `${name}: not running`, name, state: record.state };
      return { ok: true, name, state: record.state, message: `sent ${signal} to pid ${record.pid}`, pid: record.pid };
    },

    async command(cmd, name, wait) {
      if (supervisor.get(name) === undefined) return { ok: false, error: `unknown companion "${name}"` };
      if (shuttingDown && cmd !== "stop") return { ok: false, error: "the manager is shutting down", name };
      const reply = supervisor.dispatch(name, { type: cmd }).find((effect) => effect.type === "reply");
      const record = supervisor.get(name);
      const state = record?.state ?? "STOPPED";
      if (reply === undefined || reply.type !== "reply") return { ok: false, error: "internal error: no reply from the state machine", name };
      if (!reply.ok) return { ok: false, error: `${name}: ${reply.message}`, name, state };
      if (!wait || reply.wait === null) return { ok: true, name, state, message: reply.message, pid: record?.pid ?? null };
      const outcome = await waitFor(name, reply.wait);
      const after = supervisor.get(name);
      if (!outcome.ok) return { ok: false, error: `${name}: ${outcome.message}`, name, state: after?.state ?? "STOPPED" };
      return { ok: true, name, state: after?.state ?? "STOPPED", message: outcome.message, pid: after?.pid ?? null };
    },

    leaseEvent(name, event) {
      supervisor.dispatch(name, event);
    },

    leaseOf(name) {
      const record = supervisor.get(name);
      if (record?.spec.singleton !== true) return null;
      const view = leaseSync.view(name);
      return { view, standby: standbyReason(view, leaseSync.hasStore) };
    },

    apply(next) {
      const outcome: RereadOutcome = { added: [], removed: [], restarted: [], updated: [], unchanged: [] };
      config = next;
      deps.output?.configure(next);
      settingsVersion += 1;
      // Restart settings apply in place, whether or not the rest of the spec changed.
      for (const spec of next.companions) supervisor.setRestart(spec.name, companionRestartPolicy(spec));
      const wanted = new Set(next.companions.map((spec) => spec.name));
      for (const spec of next.companions) {
        const record = supervisor.get(spec.name);
        if (record === undefined) {
          addRecord(spec);
          outcome.added.push(spec.name);
        } else if (record.afterStop === "remove" || hashCompanion(record.pendingSpec ?? record.spec) !== hashCompanion(spec)) {
          supervisor.dispatch(spec.name, { type: "reconfigure", spec });
          (record.stoppedManually ? outcome.updated : outcome.restarted).push(spec.name);
        } else {
          outcome.unchanged.push(spec.name);
        }
      }
      for (const record of [...supervisor.records()]) {
        if (wanted.has(record.name) || record.afterStop === "remove") continue;
        supervisor.dispatch(record.name, { type: "remove" });
        outcome.removed.push(record.name);
      }
      return outcome;
    },

    shutdown(quick) {
      shuttingDown = true;
      const done = new Promise<void>((resolve) => {
        const previous = shutdownDone;
        shutdownDone = () => {
          previous?.();
          resolve();
        };
      });
      if (quick) leftovers.hurry(QUICK_STOP_TIMEOUT_MS);
      for (const record of [...supervisor.records()]) supervisor.dispatch(record.name, { type: "shutdown", timeoutMs: quick ? QUICK_STOP_TIMEOUT_MS : null });
      checkShutdownDone();
      return done;
    },
  };
}
