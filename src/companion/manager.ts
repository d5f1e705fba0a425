/**
 * The companion manager's interpreter: the one stateful part. It keeps a
 * record per companion, feeds events to the pure machine, and runs the
 * effects through the runtime and an injected clock. One timer per pending
 * deadline and the children's exit promises drive it; there is no polling
 * loop, so an idle manager burns no CPU.
 */
import type { Clock, TimerHandle } from "../supervise/clock.ts";
import { hashCompanion } from "../config/hash.ts";
import type { CompanionConfig, ResolvedCompanion } from "../config/resolve.ts";
import { encodeReply, type CommandReply, type ErrorReply, type RereadReply, type StatusReply } from "../control/protocol.ts";
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ChildHandle, Runtime, SpawnOptions } from "../runtime/index.ts";
import { createRecord, transition, type CompanionEvent, type CompanionRecord, type Effect, type TimerKind, type WaitTarget } from "./machine.ts";
import { TARGET_LOAD_FAILED_EXIT_CODE } from "../exit-codes.ts";
import { createLeftoverGroups } from "./leftover-groups.ts";
import type { PidRegistry } from "./pid-registry.ts";
import { readProcessStartTime } from "./proc.ts";
import { settleWait, toCompanionStatus, type WaitOutcome } from "./status.ts";

/** In a quick stop (INT/QUIT), companions get their stop signal and SIGKILL after at most this long. */
export const QUICK_STOP_TIMEOUT_MS = 1000;

/** What the manager needs from the world, injected so tests can use fakes. */
export interface ManagerDeps {
  runtime: Pick<Runtime, "spawn" | "kill">;
  clock: Clock;
  log: Logger;
  registry: PidRegistry;
  /** The argv that runs one companion (this program in its companion role). */
  companionArgv(spec: ResolvedCompanion, reportFile: string | null): string[];
  /** The environment companions inherit (the manager's own). */
  baseEnv: Readonly<Record<string, string>>;
  /** Whether a process group still has live members (the real manager's probe ignores zombies). */
  groupAlive(pgid: number): boolean;
  /** Called when a companion process exits (the manager's hook for work-paced garbage collection). */
  onChildExit?: () => void;
  /** Where a companion writes why its target failed to load, and how to read (and clear) it. */
  reports?: { path(name: string): string; take(path: string): string | null };
}

/** A running manager. */
export interface Manager {
  /** Creates a record per companion and starts them all. */
  start(config: CompanionConfig): void;
  status(names?: readonly string[]): StatusReply | ErrorReply;
  /**
   * The whole status reply as an encoded line, cached until a companion changes
   * or the next 100 ms begin: a busy monitoring client costs no allocation.
   */
  statusLine(): Uint8Array;
  command(cmd: "start" | "stop" | "restart", name: string, wait: boolean): Promise<CommandReply | ErrorReply>;
  /** Applies a new, already validated companion config (the second half of `reread`). */
  apply(config: CompanionConfig): RereadReply;
  /** Stops every companion; resolves once all are stopped. Quick: SIGKILL after at most QUICK_STOP_TIMEOUT_MS. */
  shutdown(quick: boolean): Promise<void>;
  readonly shuttingDown: boolean;
  /** The config the manager runs now (after rereads). */
  readonly config: CompanionConfig;
}

function toStdio(target: string): SpawnOptions["stdout"] {
  return target === "inherit" ? "inherit" : { file: target, append: true };
}

function toStderr(target: string): SpawnOptions["stderr"] {
  return target === "stdout" ? "stdout" : toStdio(target);
}

/** Creates a manager; nothing runs until `start`. */
export function createManager(deps: ManagerDeps): Manager {
  const { runtime, clock, log, registry } = deps;
  const records = new Map<string, CompanionRecord>();
  const children = new Map<string, ChildHandle>();
  const spawnIds = new Map<string, number>();
  const timers = new Map<string, Map<TimerKind, TimerHandle>>();
  const waiters = new Map<string, Array<{ target: WaitTarget; resolve: (outcome: WaitOutcome) => void }>>();
  let config: CompanionConfig = { companions: [], control_socket: null, control_socket_mode: 0o600, restart_delay: 5 };
  let spawnSequence = 0;
  let shuttingDown = false;
  let shutdownDone: (() => void) | null = null;
  // Bumped on every change of any record: the cached status line is stale then.
  let version = 0;
  let cachedLine: { version: number; bucket: number; bytes: Uint8Array } | null = null;
  // Process groups whose leader exited but not every member; the pid file goes once a group is empty.
  const leftovers = createLeftoverGroups({
    clock,
    groupAlive: deps.groupAlive,
    signalGroup: (name, pgid, signal) => signalGroup(name, pgid, signal),
    warn: (name, message) => logFor(name).warn(message),
    onEmpty(pgid) {
      registry.remove(pgid);
      checkShutdownDone();
    },
  });
  const logs = new Map<string, Logger>();
  const logFor = (name: string) => {
    let tagged = logs.get(name);
    if (tagged === undefined) logs.set(name, (tagged = log.withTag(`companion:${name}`)));
    return tagged;
  };

  function clearTimer(name: string, kind: TimerKind): void {
    const handle = timers.get(name)?.get(kind);
    if (handle !== undefined) clock.clearTimer(handle);
    timers.get(name)?.delete(kind);
  }

  function setTimer(name: string, kind: TimerKind, delayMs: number): void {
    clearTimer(name, kind);
    let byKind = timers.get(name);
    if (byKind === undefined) timers.set(name, (byKind = new Map()));
    const event: CompanionEvent =
      kind === "startsecs" ? { type: "startsecs-elapsed" } : kind === "retry" ? { type: "retry-due" } : { type: "stop-deadline" };
    byKind.set(
      kind,
      clock.setTimer(() => {
        timers.get(name)?.delete(kind);
        dispatch(name, event);
      }, delayMs),
    );
  }

  function spawn(name: string, spec: ResolvedCompanion): void {
    const spawnId = ++spawnSequence;
    spawnIds.set(name, spawnId);
    const reportFile = deps.reports?.path(name) ?? null;
    if (reportFile !== null) deps.reports?.take(reportFile);
    runtime
      .spawn({
        argv: deps.companionArgv(spec, reportFile),
        cwd: spec.cwd,
        // GUNICORN_COMPANION_NAME tells a target which companion it runs as.
        env: { ...deps.baseEnv, ...spec.env, GUNICORN_COMPANION_NAME: name },
        stdin: "ignore",
        stdout: toStdio(spec.stdout),
        stderr: toStderr(spec.stderr),
        processGroup: true,
      })
      .then(
        (child) => {
          if (spawnIds.get(name) !== spawnId) {
            // The record went away while we were spawning; nothing may run unsupervised.
            child.killGroup("SIGKILL");
            return;
          }
          children.set(name, child);
          registry.add({
            name,
            pid: child.pid,
            stop_signal: spec.stop_signal,
            stop_timeout: spec.stop_timeout,
            start_time: readProcessStartTime(child.pid),
          });
          dispatch(name, { type: "spawned", pid: child.pid });
          child.exited.then((status) => {
            leftovers.watch(name, child.pid, spec.stop_signal, spec.stop_timeout);
            deps.onChildExit?.();
            if (children.get(name) === child) children.delete(name);
            const reason =
              status.exitCode === TARGET_LOAD_FAILED_EXIT_CODE && reportFile !== null ? (deps.reports?.take(reportFile) ?? null) : null;
            if (records.get(name)?.pid === child.pid) dispatch(name, { type: "exited", exitCode: status.exitCode, signal: status.signal, reason });
          });
        },
        (error) => {
          if (spawnIds.get(name) === spawnId) dispatch(name, { type: "spawn-failed", error: errorMessage(error) });
        },
      );
  }

  function signalGroup(name: string, pid: number, signal: "SIGKILL" | ResolvedCompanion["stop_signal"]): void {
    try {
      // The companion leads its own process group: the signal reaches what it started too.
      runtime.kill(-pid, signal);
    } catch (error) {
      logFor(name).error(`cannot send ${signal} to process group ${pid}: ${errorMessage(error)}`);
    }
  }

  function run(name: string, effect: Effect): void {
    switch (effect.type) {
      case "spawn":
        spawn(name, effect.spec);
        break;
      case "signal":
        signalGroup(name, effect.pid, effect.signal);
        break;
      case "kill":
        signalGroup(name, effect.pid, "SIGKILL");
        break;
      case "set-timer":
        setTimer(name, effect.timer, effect.delayMs);
        break;
      case "clear-timer":
        clearTimer(name, effect.timer);
        break;
      case "log":
        logFor(name)[effect.level](effect.message);
        break;
      case "removed":
        for (const kind of timers.get(name)?.keys() ?? []) clearTimer(name, kind);
        records.delete(name);
        version += 1;
        timers.delete(name);
        spawnIds.delete(name);
        logs.delete(name);
        break;
      case "reply":
        break;
    }
  }

  function settleWaiters(name: string): void {
    const list = waiters.get(name);
    if (list === undefined) return;
    const record = records.get(name) ?? null;
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
    for (const record of records.values()) if (record.state !== "STOPPED" || record.spawning) return;
    if (leftovers.size > 0) return;
    const done = shutdownDone;
    shutdownDone = null;
    done();
  }

  /** Feeds one event to the machine and runs what it asks for; returns the effects. */
  function dispatch(name: string, event: CompanionEvent): Effect[] {
    const record = records.get(name);
    if (record === undefined) return [];
    const { next, effects } = transition(record, event, clock.now());
    records.set(name, next);
    version += 1;
    for (const effect of effects) run(name, effect);
    settleWaiters(name);
    checkShutdownDone();
    return effects;
  }

  function waitFor(name: string, target: WaitTarget): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const list = waiters.get(name) ?? [];
      list.push({ target, resolve });
      waiters.set(name, list);
      settleWaiters(name);
    });
  }

  function addRecord(spec: ResolvedCompanion): void {
    records.set(spec.name, createRecord(spec, Math.round(config.restart_delay * 1000)));
    dispatch(spec.name, { type: "start" });
  }

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    get config() {
      return config;
    },

    start(initial) {
      config = initial;
      for (const spec of initial.companions) addRecord(spec);
    },

    status(names) {
      const unknown = (names ?? []).filter((name) => !records.has(name));
      if (unknown.length > 0) return { ok: false, error: `unknown companion${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}` };
      const now = clock.now();
      const wanted = names === undefined || names.length === 0 ? [...records.values()] : names.map((name) => records.get(name) as CompanionRecord);
      return { ok: true, companions: wanted.map((record) => toCompanionStatus(record, now)) };
    },

    statusLine() {
      const bucket = Math.floor(clock.now() / 100);
      if (cachedLine === null || cachedLine.version !== version || cachedLine.bucket !== bucket) {
        cachedLine = { version, bucket, bytes: encodeReply(this.status() as StatusReply) };
      }
      return cachedLine.bytes;
    },

    async command(cmd, name, wait) {
      if (!records.has(name)) return { ok: false, error: `unknown companion "${name}"` };
      if (shuttingDown && cmd !== "stop") return { ok: false, error: "the manager is shutting down", name };
      const reply = dispatch(name, { type: cmd }).find((effect) => effect.type === "reply");
      const record = records.get(name);
      const state = record?.state ?? "STOPPED";
      if (reply === undefined || reply.type !== "reply") return { ok: false, error: "internal error: no reply from the state machine", name };
      if (!reply.ok) return { ok: false, error: `${name}: ${reply.message}`, name, state };
      if (!wait || reply.wait === null) return { ok: true, name, state, message: reply.message, pid: record?.pid ?? null };
      const outcome = await waitFor(name, reply.wait);
      const after = records.get(name);
      if (!outcome.ok) return { ok: false, error: `${name}: ${outcome.message}`, name, state: after?.state ?? "STOPPED" };
      return { ok: true, name, state: after?.state ?? "STOPPED", message: outcome.message, pid: after?.pid ?? null };
    },

    apply(next) {
      const reply: RereadReply = { ok: true, added: [], removed: [], restarted: [], updated: [], unchanged: [] };
      const restartDelayMs = Math.round(next.restart_delay * 1000);
      config = next;
      for (const [name, record] of records) records.set(name, { ...record, restartDelayMs });
      version += 1;
      const wanted = new Set(next.companions.map((spec) => spec.name));
      for (const spec of next.companions) {
        const record = records.get(spec.name);
        if (record === undefined) {
          addRecord(spec);
          reply.added.push(spec.name);
        } else if (record.afterStop === "remove" || hashCompanion(record.pendingSpec ?? record.spec) !== hashCompanion(spec)) {
          dispatch(spec.name, { type: "reconfigure", spec });
          (record.stoppedManually ? reply.updated : reply.restarted).push(spec.name);
        } else {
          reply.unchanged.push(spec.name);
        }
      }
      for (const [name, record] of [...records]) {
        if (wanted.has(name) || record.afterStop === "remove") continue;
        dispatch(name, { type: "remove" });
        reply.removed.push(name);
      }
      return reply;
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
      for (const name of [...records.keys()]) dispatch(name, { type: "shutdown", quickMs: quick ? QUICK_STOP_TIMEOUT_MS : null });
      checkShutdownDone();
      return done;
    },
  };
}
