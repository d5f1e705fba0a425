/**
 * The data of the companion state machine: a companion's record, the events
 * that drive it and the effects it asks for. The transitions are in machine.ts.
 */
import type { ResolvedCompanion } from "../config/resolve.ts";
import type { SignalName } from "../runtime/types.ts";

/** The five states of SPEC §4. */
export type CompanionState = "STOPPED" | "STARTING" | "RUNNING" | "BACKOFF" | "STOPPING";

/** The deadlines a companion can be waiting on; at most one timer of each kind. */
export type TimerKind = "startsecs" | "retry" | "stop-deadline";

/** What happens once the process being stopped has exited. */
export type AfterStop = "stopped" | "start" | "remove";

/** How the last process ended. */
export interface LastExit {
  exitCode: number | null;
  signal: string | null;
  /** Epoch milliseconds. */
  at: number;
}

/** Everything the manager knows about one companion. */
export interface CompanionRecord {
  readonly name: string;
  /** The spec the current (or next) process runs with. */
  readonly spec: ResolvedCompanion;
  /** A changed spec from a reread, applied when the next process is spawned. */
  readonly pendingSpec: ResolvedCompanion | null;
  readonly state: CompanionState;
  readonly pid: number | null;
  /** A spawn was requested and has not yet reported spawned or spawn-failed. */
  readonly spawning: boolean;
  /** Epoch ms when the current process was spawned. */
  readonly spawnedAt: number | null;
  /** Stopped by hand: stays STOPPED until started again, across exits and rereads. */
  readonly stoppedManually: boolean;
  readonly afterStop: AfterStop;
  readonly restartDelayMs: number;
  /** Epoch ms of the pending retry, in BACKOFF. */
  readonly nextRetryAt: number | null;
  /** In STOPPING: the ms between stop signal and SIGKILL chosen for this stop. */
  readonly stopTimeoutMs: number | null;
  /** Epoch ms when SIGKILL is due, in STOPPING (null until the pid is known). */
  readonly stopDeadlineAt: number | null;
  readonly lastExit: LastExit | null;
  /** Why the last start failed (spawn error, or the target could not be loaded). */
  readonly lastError: string | null;
  readonly spawnCount: number;
  readonly exitCount: number;
  readonly killCount: number;
}

/** Inputs to the machine: operator commands, process news and timers. */
export type CompanionEvent =
  | { type: "start" }
  | { type: "stop" }
  | { type: "restart" }
  | { type: "remove" }
  | { type: "reconfigure"; spec: ResolvedCompanion }
  | { type: "shutdown"; quickMs: number | null }
  | { type: "spawned"; pid: number }
  | { type: "spawn-failed"; error: string }
  | { type: "exited"; exitCode: number | null; signal: string | null; reason?: string | null }
  | { type: "startsecs-elapsed" }
  | { type: "retry-due" }
  | { type: "stop-deadline" };

/** The state a client that asked to wait is waiting for. */
export type WaitTarget = "RUNNING" | "STOPPED";

/** Work for the interpreter, as data. */
export type Effect =
  | { type: "spawn"; spec: ResolvedCompanion }
  | { type: "signal"; pid: number; signal: SignalName }
  | { type: "kill"; pid: number }
  | { type: "set-timer"; timer: TimerKind; delayMs: number }
  | { type: "clear-timer"; timer: TimerKind }
  | { type: "log"; level: "info" | "warn" | "error"; message: string }
  | { type: "reply"; ok: boolean; message: string; wait: WaitTarget | null }
  | { type: "removed" };

/** The result of one transition. */
export interface Transition {
  next: CompanionRecord;
  effects: Effect[];
}

/** A fresh record in STOPPED ("not started"). */
export function createRecord(spec: ResolvedCompanion, restartDelayMs: number): CompanionRecord {
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
    restartDelayMs,
    nextRetryAt: null,
    stopTimeoutMs: null,
    stopDeadlineAt: null,
    lastExit: null,
    lastError: null,
    spawnCount: 0,
    exitCount: 0,
    killCount: 0,
  };
}

/** Describes how a process ended, for logs: "exited with status 1", "killed by SIGKILL". */
export function formatExit(exitCode: number | null, signal: string | null): string {
  return signal !== null ? `killed by ${signal}` : `exited with status ${exitCode ?? 0}`;
}

