/**
 * Records in every state, for the machine's table tests (no processes): a
 * child spec, one step of the machine, a record brought into a state the way
 * the supervisor would, and effect summaries.
 */
import { createRecord, transition, type ChildEvent, type ChildRecord, type ChildSpec, type ChildState, type Effect } from "./machine.ts";
import { fixedDelay, type RestartPolicy } from "./policy.ts";

/** The time of every step (epoch ms). */
export const T0 = 1_000_000;
/** The spec of every record. */
export const spec: ChildSpec = { name: "rq", stop_signal: "SIGTERM", stop_timeout: 2, reload_timeout: 3, startsecs: 1 };

/** One event through the machine; the next record. */
export function step(record: ChildRecord, event: ChildEvent, now = T0): ChildRecord {
  return transition(record, event, now).next;
}

/** A record brought into `state` the way the manager would. */
export function inState(state: ChildState): ChildRecord {
  const stopped = createRecord(spec, fixedDelay(500));
  const starting = step(step(stopped, { type: "start" }), { type: "spawned", pid: 100 });
  const running = step(starting, { type: "startsecs-elapsed" });
  switch (state) {
    case "STOPPED":
      return stopped;
    case "STARTING":
      return starting;
    case "RUNNING":
      return running;
    case "BACKOFF":
      return step(running, { type: "exited", exitCode: 1, signal: null });
    case "STOPPING":
      return step(running, { type: "stop" });
    case "EXITED": {
      const once: RestartPolicy = { ...fixedDelay(500), when: "never" };
      const up = step(step(step(createRecord(spec, once), { type: "start" }), { type: "spawned", pid: 100 }), { type: "startsecs-elapsed" });
      return step(up, { type: "exited", exitCode: 0, signal: null });
    }
    case "FATAL": {
      const oneTry: RestartPolicy = { ...fixedDelay(500), startRetries: 1 };
      return step(step(step(createRecord(spec, oneTry), { type: "start" }), { type: "spawned", pid: 100 }), { type: "exited", exitCode: 1, signal: null });
    }
    case "STANDBY":
      // A singleton started without its lease.
      return step(createRecord({ ...spec, singleton: true }, fixedDelay(500)), { type: "start" });
  }
}

/** Effect types (timers with their kind), logs left out. */
export const types = (effects: Effect[]) => effects.map((e) => (e.type === "set-timer" || e.type === "clear-timer" ? `${e.type}:${e.timer}` : e.type)).filter((t) => t !== "log");
/** The reply effect among `effects`. */
export const replyOf = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply");
