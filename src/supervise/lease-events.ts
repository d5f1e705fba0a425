/**
 * The supervision machine's answers to a singleton's lease (pure): acquired,
 * a STANDBY child starts; lost, a child that is up is stopped within the time
 * the lease has left, whatever its stop_timeout (docs/multi-host.md).
 */
import type { ChildRecord, ChildSpec, Effect, Transition } from "./record.ts";
import { beginStop, secondsToMs, spawn, unchanged } from "./steps.ts";

/** The lease is held here: a STANDBY child is spawned. */
export function onLeaseAcquired<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  const held = { ...record, holdsLease: true };
  if (record.state !== "STANDBY") return unchanged(held);
  return spawn(held, [{ type: "log", level: "info", message: "lease acquired; starting" }]);
}

/** The lease is lost: its process must be gone within `timeoutMs`; it waits in STANDBY afterwards. */
export function onLeaseLost<S extends ChildSpec>(record: ChildRecord<S>, timeoutMs: number): Transition<S> {
  const lost = { ...record, holdsLease: false };
  const within = Math.max(0, Math.min(secondsToMs(record.spec.stop_timeout), timeoutMs));
  const log: Effect<S> = { type: "log", level: "warn", message: `lease lost; stopping (SIGKILL within ${within / 1000}s)` };
  switch (record.state) {
    case "STARTING":
    case "RUNNING":
      // Once it has exited it is spawned again, which waits in STANDBY until the lease is back.
      return beginStop(lost, "start", within, [log]);
    case "STOPPING":
      if (record.pid === null) return unchanged({ ...lost, stopTimeoutMs: Math.min(record.stopTimeoutMs ?? within, within) });
      return unchanged(lost, [log, { type: "hurry", timeoutMs: within }]);
    case "BACKOFF":
      return { next: { ...lost, state: "STANDBY", nextRetryAt: null }, effects: [{ type: "clear-timer", timer: "retry" }] };
    default:
      return unchanged(lost);
  }
}
