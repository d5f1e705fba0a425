/**
 * The supervisor: the one stateful part of the kernel. It keeps a record per
 * child, feeds events to the pure machine, and runs the effects through the
 * runtime and an injected clock. One timer per pending deadline and the
 * children's exit promises drive it; there is no polling loop, so an idle
 * supervisor burns no CPU. A kind of child (companion, HTTP worker, the
 * manager) supplies how it is spawned and signalled, and hooks for its own
 * bookkeeping.
 */
import { errorMessage } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { ChildHandle, ExitStatus, Processes, SignalName, SpawnOptions } from "../runtime/index.ts";
import type { Clock } from "./clock.ts";
import { createDeadlines } from "./deadlines.ts";
import { createRecord, transition, type ChildEvent, type ChildRecord, type ChildSpec, type Effect, type TimerKind } from "./machine.ts";
import type { RestartPolicy } from "./policy.ts";
import { stopWithin, type Stopping } from "./stop-within.ts";

/** What a kind of child tells the supervisor. */
export interface ChildKind<S extends ChildSpec> {
  /** How one process of this child is started. */
  spawnOptions(name: string, spec: S): SpawnOptions;
  /** True: the child leads its own process group and signals go to the whole group. */
  readonly group: boolean;
  /** The log of one child (the machine's own lines go there). */
  logFor(name: string): Logger;
  /** A process has started; called before the machine hears of it. */
  onSpawned?(name: string, child: ChildHandle, spec: S): void;
  /**
   * A process has exited: what the kind still has to finish for it (reading
   * the last of its output) before the exit counts. The machine hears of the
   * exit once the promise settles; the kind bounds how long that takes.
   */
  settleExit?(name: string, child: ChildHandle): Promise<void> | undefined;
  /** A process has exited; called before the machine hears of it. May say why it failed, and how long until the retry instead of the policy. */
  onExited?(name: string, child: ChildHandle, spec: S, status: ExitStatus): ExitNote | void;
  /** The stop deadline passed and SIGKILL went out (after the machine counted it). */
  onKilled?(name: string, record: ChildRecord<S>): void;
  /** A record changed or went away (`get(name)` is then undefined). */
  onChange?(name: string): void;
}

/** What a kind adds to an exit: why it failed (shown in status), and the retry delay when the policy's does not fit. */
export interface ExitNote {
  reason?: string | null;
  delayMs?: number;
  /** Starting it again cannot help (a companion whose target cannot be loaded): FATAL at once. */
  fatal?: boolean;
}

/** What the supervisor needs from the world. */
export interface SupervisorDeps {
  runtime: Processes;
  clock: Clock;
}

/** Records of children of one kind, and the events that move them. */
export interface Supervisor<S extends ChildSpec> {
  /** Adds a record in STOPPED (start it with a `start` event). */
  add(spec: S, restart: RestartPolicy): void;
  /** Feeds one event to the machine and runs its effects; returns the effects. */
  dispatch(name: string, event: ChildEvent<S>): Effect<S>[];
  /** Changes a record's restart policy (it applies from the next exit). */
  setRestart(name: string, restart: RestartPolicy): void;
  get(name: string): ChildRecord<S> | undefined;
  records(): IterableIterator<ChildRecord<S>>;
  /** The live process of a child, if any. */
  child(name: string): ChildHandle | undefined;
  /** Resolves once `done()` holds, checked now and after every change of any record. */
  until(done: () => boolean): Promise<void>;
  /** Bumped on every change of any record (caches compare it). */
  readonly version: number;
}

/** Creates a supervisor of one kind of child. */
export function createSupervisor<S extends ChildSpec>(deps: SupervisorDeps, kind: ChildKind<S>): Supervisor<S> {
  const { runtime, clock } = deps;
  const records = new Map<string, ChildRecord<S>>();
  const children = new Map<string, ChildHandle>();
  const spawnIds = new Map<string, number>();
  const timers = createDeadlines<`${string}/${TimerKind}`>(clock);
  const stops = new Map<string, Stopping>();
  let spawnSequence = 0;
  let version = 0;
  let waiters: Array<{ done: () => boolean; resolve: () => void }> = [];

  function wakeWaiters(): void {
    if (waiters.length === 0) return;
    const pending = waiters;
    waiters = [];
    for (const waiter of pending) {
      if (waiter.done()) waiter.resolve();
      else waiters.push(waiter);
    }
  }

  const TIMER_KINDS: readonly TimerKind[] = ["startsecs", "retry"];

  function setTimer(name: string, timer: TimerKind, delayMs: number): void {
    const event: ChildEvent<S> = timer === "startsecs" ? { type: "startsecs-elapsed" } : { type: "retry-due" };
    timers.set(`${name}/${timer}`, delayMs, () => dispatch(name, event));
  }

  function send(name: string, pid: number, signal: SignalName): void {
    try {
      // A group leader's signal reaches what it started too.
      runtime.kill(kind.group ? -pid : pid, signal);
    } catch (error) {
      kind.logFor(name).error(`cannot send ${signal} to ${kind.group ? "process group " : "pid "}${pid}: ${errorMessage(error)}`);
    }
  }

  function spawn(name: string, spec: S): void {
    const spawnId = ++spawnSequence;
    spawnIds.set(name, spawnId);
    let options: SpawnOptions;
    try {
      options = kind.spawnOptions(name, spec);
    } catch (error) {
      queueMicrotask(() => dispatch(name, { type: "spawn-failed", error: errorMessage(error) }));
      return;
    }
    runtime.spawn(options).then(
      (child) => {
        if (spawnIds.get(name) !== spawnId) {
          // The record went away while we were spawning; nothing may run unsupervised.
          runtime.kill(kind.group ? -child.pid : child.pid, "SIGKILL");
          return;
        }
        children.set(name, child);
        kind.onSpawned?.(name, child, spec);
        dispatch(name, { type: "spawned", pid: child.pid });
        const exited = (status: ExitStatus) => {
          const note = kind.onExited?.(name, child, spec, status) ?? {};
          if (records.get(name)?.pid === child.pid) {
            dispatch(name, { type: "exited", exitCode: status.exitCode, signal: status.signal, reason: note.reason ?? null, delayMs: note.delayMs, fatal: note.fatal });
          }
        };
        void child.exited.then((status) => {
          // Its pid is free from now on: nothing signals it by that pid again.
          if (children.get(name) === child) children.delete(name);
          const settling = kind.settleExit?.(name, child);
          if (settling === undefined) exited(status);
          else void settling.then(() => exited(status));
        });
      },
      (error: unknown) => {
        if (spawnIds.get(name) === spawnId) dispatch(name, { type: "spawn-failed", error: errorMessage(error) });
      },
    );
  }

  function stop(name: string, pid: number, signal: SignalName, timeoutMs: number): void {
    const child = children.get(name);
    if (child === undefined || child.pid !== pid) return;
    const stopping = stopWithin({
      clock,
      signal: () => send(name, pid, signal),
      kill: () => send(name, pid, "SIGKILL"),
      gone: child.exited,
      timeoutMs,
      onKill() {
        dispatch(name, { type: "killed" });
        const record = records.get(name);
        if (record !== undefined) kind.onKilled?.(name, record);
      },
    });
    stops.set(name, stopping);
    void stopping.done.then(() => {
      if (stops.get(name) === stopping) stops.delete(name);
    });
  }

  function run(name: string, effect: Effect<S>): void {
    switch (effect.type) {
      case "spawn":
        spawn(name, effect.spec);
        break;
      case "stop":
        stop(name, effect.pid, effect.signal, effect.timeoutMs);
        break;
      case "hurry":
        stops.get(name)?.hurry(effect.timeoutMs);
        break;
      case "signal":
        send(name, effect.pid, effect.signal);
        break;
      case "set-timer":
        setTimer(name, effect.timer, effect.delayMs);
        break;
      case "clear-timer":
        timers.clear(`${name}/${effect.timer}`);
        break;
      case "log":
        kind.logFor(name)[effect.level](effect.message);
        break;
      case "removed":
        for (const timer of TIMER_KINDS) timers.clear(`${name}/${timer}`);
        records.delete(name);
        spawnIds.delete(name);
        version += 1;
        break;
      case "reply":
        break;
    }
  }

  function dispatch(name: string, event: ChildEvent<S>): Effect<S>[] {
    const record = records.get(name);
    if (record === undefined) return [];
    const { next, effects } = transition(record, event, clock.now());
    records.set(name, next);
    version += 1;
    for (const effect of effects) run(name, effect);
    kind.onChange?.(name);
    wakeWaiters();
    return effects;
  }

  return {
    add(spec, restart) {
      records.set(spec.name, createRecord(spec, restart));
      version += 1;
    },
    dispatch,
    setRestart(name, restart) {
      const record = records.get(name);
      if (record === undefined) return;
      records.set(name, { ...record, restart });
      version += 1;
    },
    get: (name) => records.get(name),
    records: () => records.values(),
    child: (name) => children.get(name),
    until(done) {
      if (done()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ done, resolve }));
    },
    get version() {
      return version;
    },
  };
}
