/**
 * The steps the supervision machine's transitions are made of (pure): spawn,
 * stop within a deadline, back off, give up, and the small helpers they share.
 * commands.ts and events.ts compose them; machine.ts dispatches.
 */
import type { SignalName } from "../runtime/index.ts";
import type { AfterStop, ChildRecord, ChildSpec, Effect, Transition, WaitTarget } from "./record.ts";

/** Seconds of a spec as the milliseconds of a timer. */
export const secondsToMs = (seconds: number) => Math.round(seconds * 1000);

/** A reply effect for the client that sent the command. */
export const reply = <S extends ChildSpec>(ok: boolean, message: string, wait: WaitTarget | null = null): Effect<S> => ({ type: "reply", ok, message, wait });

/** No change of state, with these effects. */
export const unchanged = <S extends ChildSpec>(record: ChildRecord<S>, effects: Effect<S>[] = []): Transition<S> => ({ next: record, effects });

/** Spawn now (from STOPPED or BACKOFF, or after a stop): applies a pending spec. A singleton without its lease waits in STANDBY instead. */
export function spawn<S extends ChildSpec>(record: ChildRecord<S>, effects: Effect<S>[]): Transition<S> {
  const spec = record.pendingSpec ?? record.spec;
  if (spec.singleton === true && !record.holdsLease) {
    const standby = { ...record, spec, pendingSpec: null, state: "STANDBY" as const, pid: null, spawning: false, spawnedAt: null };
    return { next: { ...standby, stoppedManually: false, afterStop: "stopped", nextRetryAt: null, stopTimeoutMs: null }, effects };
  }
  return {
    next: {
      ...record,
      spec,
      pendingSpec: null,
      state: "STARTING",
      pid: null,
      spawning: true,
      spawnedAt: null,
      stoppedManually: false,
      afterStop: "stopped",
      nextRetryAt: null,
      stopTimeoutMs: null,
      spawnCount: record.spawnCount + 1,
    },
    effects: [...effects, { type: "spawn", spec }],
  };
}

/** Stop within a deadline (once the pid is known; a spawn in flight is stopped when it reports). */
export function beginStop<S extends ChildSpec>(
  record: ChildRecord<S>,
  afterStop: AfterStop,
  timeoutMs: number,
  effects: Effect<S>[],
  signal: SignalName = record.spec.stop_signal,
): Transition<S> {
  const out: Effect<S>[] = [...effects, { type: "clear-timer", timer: "startsecs" }];
  if (record.pid !== null) out.push({ type: "stop", pid: record.pid, signal, timeoutMs });
  return { next: { ...record, state: "STOPPING", afterStop, stopTimeoutMs: timeoutMs }, effects: out };
}

/** Enter BACKOFF and schedule the retry, after the delay the restart policy gives. */
export function backoff<S extends ChildSpec>(record: ChildRecord<S>, now: number, effects: Effect<S>[], lastError: string | null, delayMs: number): Transition<S> {
  return {
    next: { ...record, state: "BACKOFF", pid: null, spawning: false, spawnedAt: null, lastDelayMs: delayMs, nextRetryAt: now + delayMs, lastError },
    effects: [...effects, { type: "set-timer", timer: "retry", delayMs }],
  };
}

/** Leave it down without a retry: EXITED (its restart policy says so) or FATAL (starting it again cannot help). */
export function giveUp<S extends ChildSpec>(record: ChildRecord<S>, state: "EXITED" | "FATAL", lastError: string | null, effects: Effect<S>[]): Transition<S> {
  return { next: { ...record, state, pid: null, spawning: false, spawnedAt: null, nextRetryAt: null, lastError }, effects };
}

/** Started by hand (or by a reread): the count of failed starts begins again. */
export const byHand = <S extends ChildSpec>(record: ChildRecord<S>): ChildRecord<S> => ({ ...record, startFailures: 0 });
