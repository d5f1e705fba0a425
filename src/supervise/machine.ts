/**
 * The supervision machine, pure: `transition(record, event, now)` returns the
 * next record and the effects to run (spawn, stop within a deadline, timers,
 * replies), for any kind of child. docs/states.md has the states × commands
 * table it implements; the answers to commands are in commands.ts, to process
 * news and timers in events.ts; interpreter.ts runs the effects.
 */
import { onReconfigure, onRemove, onRestart, onShutdown, onStart, onStop } from "./commands.ts";
import { onExited, onSpawned, onSpawnFailed, onUp } from "./events.ts";
import { onLeaseAcquired, onLeaseLost } from "./lease-events.ts";
import type { ChildEvent, ChildRecord, ChildSpec, Transition } from "./record.ts";
import { spawn, unchanged } from "./steps.ts";
import { DOWN_STATES } from "./record.ts";

export { createRecord, DOWN_STATES } from "./record.ts";
export type { AfterStop, ChildEvent, ChildRecord, ChildSpec, ChildState, Effect, LastExit, TimerKind, Transition, WaitTarget } from "./record.ts";

/** The machine: one event in, the next record and the effects out. `now` is epoch ms. */
export function transition<S extends ChildSpec>(record: ChildRecord<S>, event: ChildEvent<S>, now: number): Transition<S> {
  const result = dispatch(record, event, now);
  const { next } = result;
  // A singleton that is down lets its lease go (the supervisor releases it), so a later start waits for it again.
  if (next.holdsLease && DOWN_STATES.includes(next.state) && next.pid === null && !next.spawning) return { ...result, next: { ...next, holdsLease: false } };
  return result;
}

function dispatch<S extends ChildSpec>(record: ChildRecord<S>, event: ChildEvent<S>, now: number): Transition<S> {
  switch (event.type) {
    case "start":
      return onStart(record);
    case "stop":
      return onStop(record);
    case "restart":
      return onRestart(record);
    case "remove":
      return onRemove(record);
    case "reconfigure":
      return onReconfigure(record, event.spec);
    case "shutdown":
      return onShutdown(record, event);
    case "spawned":
      return onSpawned(record, event.pid, now);
    case "spawn-failed":
      return onSpawnFailed(record, event.error, now);
    case "exited":
      return onExited(record, event, now);
    case "startsecs-elapsed":
    case "ready":
      return onUp(record);
    case "retry-due":
      return record.state === "BACKOFF" ? spawn(record, []) : unchanged(record);
    case "lease-acquired":
      return onLeaseAcquired(record);
    case "lease-lost":
      return onLeaseLost(record, event.timeoutMs);
    case "killed":
      if (record.state !== "STOPPING" || record.pid === null) return unchanged(record);
      return {
        next: { ...record, killCount: record.killCount + 1 },
        effects: [{ type: "log", level: "warn", message: `did not stop within its timeout; sending SIGKILL to ${record.pid}` }],
      };
  }
}
