/**
 * The data of the supervision machine: a child's record, the events that
 * drive it and the effects it asks for, for any kind of child (a companion,
 * an HTTP worker, the manager under the master). The transitions are in
 * machine.ts; docs/states.md has the table.
 */
import type { SignalName } from "../runtime/index.ts";
import type { RestartPolicy } from "./policy.ts";

/**
 * The states of a supervised child. EXITED: exited and not restarted (its
 * restart policy); FATAL: gave up starting it; STANDBY: a singleton that would
 * run but whose lease another host holds (docs/multi-host.md).
 */
export type ChildState = "STOPPED" | "STARTING" | "RUNNING" | "BACKOFF" | "STOPPING" | "EXITED" | "FATAL" | "STANDBY";

/** The states in which a child has no process and none is on its way. */
export const DOWN_STATES: readonly ChildState[] = ["STOPPED", "EXITED", "FATAL"];

/** What the machine reads of a child's spec; a kind's own spec carries more. */
export interface ChildSpec {
  readonly name: string;
  readonly stop_signal: SignalName;
  /** Seconds between the stop signal and SIGKILL. */
  readonly stop_timeout: number;
  /** Seconds the old process of a restart gets. */
  readonly reload_timeout: number;
  /** Seconds a process must stay up to be RUNNING; null: until it reports `ready`. */
  readonly startsecs: number | null;
  /** Runs only while its lease is held (STANDBY otherwise). */
  readonly singleton?: boolean;
}

/** The deadlines a record can be waiting on; at most one timer of each kind. */
export type TimerKind = "startsecs" | "retry";

/** What happens once the process being stopped has exited. */
export type AfterStop = "stopped" | "start" | "remove";

/** How the last process ended. */
export interface LastExit {
  exitCode: number | null;
  signal: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** Everything the supervisor knows about one child. */
export interface ChildRecord<S extends ChildSpec = ChildSpec> {
  readonly name: string;
  /** The spec the current (or next) process runs with. */
  readonly spec: S;
  /** A changed spec (a reread), applied when the next process is spawned. */
  readonly pendingSpec: S | null;
  readonly state: ChildState;
  readonly pid: number | null;
  /** A spawn was requested and has not yet reported spawned or spawn-failed. */
  readonly spawning: boolean;
  /** Epoch ms when the current process was spawned. */
  readonly spawnedAt: number | null;
  /** Stopped by hand: stays STOPPED until started again, across exits and rereads. */
  readonly stoppedManually: boolean;
  readonly afterStop: AfterStop;
  readonly restart: RestartPolicy;
  /** The delay of the last BACKOFF (a backoff policy doubles it); null before the first. */
  readonly lastDelayMs: number | null;
  /** Epoch ms of the pending retry, in BACKOFF. */
  readonly nextRetryAt: number | null;
  /** In STOPPING: the ms between stop signal and SIGKILL chosen for this stop. */
  readonly stopTimeoutMs: number | null;
  readonly lastExit: LastExit | null;
  /** Why the last start failed (spawn error, or the child's own report). */
  readonly lastError: string | null;
  readonly spawnCount: number;
  readonly exitCount: number;
  readonly killCount: number;
  /** Consecutive exits (or failed spawns) before the child was up; reset once it is RUNNING or started by hand. */
  readonly startFailures: number;
  /** A singleton's lease is held here: it may be spawned. */
  readonly holdsLease: boolean;
}

/** Inputs to the machine: operator commands, process news and timers. */
export type ChildEvent<S extends ChildSpec = ChildSpec> =
  | { type: "start" }
  | { type: "stop" }
  | { type: "restart" }
  | { type: "remove" }
  | { type: "reconfigure"; spec: S }
  /** Stop for good: SIGKILL after the spec's stop_timeout, or `timeoutMs` when shorter; `signal` overrides the stop signal. */
  | { type: "shutdown"; timeoutMs: number | null; signal?: SignalName }
  | { type: "spawned"; pid: number }
  | { type: "spawn-failed"; error: string }
  /**
   * `delayMs`, when given, replaces the restart policy's delay for this exit;
   * `fatal`: retrying cannot help (a companion whose target cannot be loaded).
   */
  | { type: "exited"; exitCode: number | null; signal: string | null; reason?: string | null; delayMs?: number; fatal?: boolean }
  | { type: "startsecs-elapsed" }
  /** The process says it is up (kinds whose startsecs is null). */
  | { type: "ready" }
  | { type: "retry-due" }
  /** The stop deadline passed and SIGKILL went out. */
  | { type: "killed" }
  /** A singleton's lease is now held here. */
  | { type: "lease-acquired" }
  /** A singleton's lease is lost (or about to be): its process must be gone within `timeoutMs`, whatever its stop_timeout. */
  | { type: "lease-lost"; timeoutMs: number };

/** The state a client that asked to wait is waiting for. */
export type WaitTarget = "RUNNING" | "STOPPED";

/** Work for the interpreter, as data. */
export type Effect<S extends ChildSpec = ChildSpec> =
  | { type: "spawn"; spec: S }
  /** Stop within a deadline: `signal` now, SIGKILL after `timeoutMs` unless it is gone. */
  | { type: "stop"; pid: number; signal: SignalName; timeoutMs: number }
  /** A stop under way: SIGKILL within `timeoutMs` at the latest. */
  | { type: "hurry"; timeoutMs: number }
  /** A signal alone, to a process being stopped (an escalating shutdown). */
  | { type: "signal"; pid: number; signal: SignalName }
  | { type: "set-timer"; timer: TimerKind; delayMs: number }
  | { type: "clear-timer"; timer: TimerKind }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | { type: "reply"; ok: boolean; message: string; wait: WaitTarget | null }
  | { type: "removed" };

/** The result of one transition. */
export interface Transition<S extends ChildSpec = ChildSpec> {
  next: ChildRecord<S>;
  effects: Effect<S>[];
}

/** A fresh record in STOPPED ("not started"). */
export function createRecord<S extends ChildSpec>(spec: S, restart: RestartPolicy): ChildRecord<S> {
  return {
    name: spec.name,
    spec,
    pendingSpec: null,
    state: "STOPPED",
    pid: null,
    spawning: false,
    spawnedAt: null,
    stoppedManually: false,
    afterStop: "stopped",
    restart,
    lastDelayMs: null,
    nextRetryAt: null,
    stopTimeoutMs: null,
    lastExit: null,
    lastError: null,
    spawnCount: 0,
    exitCount: 0,
    killCount: 0,
    startFailures: 0,
    holdsLease: false,
  };
}
