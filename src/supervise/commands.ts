/**
 * The supervision machine's answers to commands (pure): start, stop, restart,
 * remove, reconfigure (a reread changed the spec) and shutdown, in every
 * state. docs/states.md has the table.
 */
import type { ChildEvent, ChildRecord, ChildSpec, Effect, Transition } from "./record.ts";
import { beginStop, byHand, reply, secondsToMs, spawn, unchanged } from "./steps.ts";

/** `start` in each state. */
export function onStart<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
      return spawn(byHand(record), [reply(true, "starting", "RUNNING")]);
    case "STARTING":
      return unchanged(record, [reply(true, "already starting", "RUNNING")]);
    case "RUNNING":
      return unchanged(record, [reply(true, "already running")]);
    case "BACKOFF":
      return spawn(byHand(record), [{ type: "clear-timer", timer: "retry" }, reply(true, "starting", "RUNNING")]);
    case "STOPPING":
      return unchanged(record, [reply(false, "is stopping, retry later")]);
    case "STANDBY":
      return unchanged(record, [reply(true, "standby, waiting for the lease")]);
  }
}

/** `stop` in each state: stopped by hand. */
export function onStop<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  switch (record.state) {
    case "STOPPED":
      return unchanged({ ...record, stoppedManually: true }, [reply(true, "already stopped")]);
    case "STARTING":
    case "RUNNING":
      return beginStop({ ...record, stoppedManually: true }, "stopped", secondsToMs(record.spec.stop_timeout), [reply(true, "stopping", "STOPPED")]);
    case "BACKOFF":
      return {
        next: { ...record, state: "STOPPED", stoppedManually: true, nextRetryAt: null },
        effects: [{ type: "clear-timer", timer: "retry" }, reply(true, "stopped")],
      };
    case "EXITED":
    case "FATAL":
    case "STANDBY":
      return { next: { ...record, state: "STOPPED", stoppedManually: true }, effects: [reply(true, "stopped")] };
    case "STOPPING":
      // A stop while a restart is under way cancels the start that would follow.
      return unchanged({ ...record, stoppedManually: true, afterStop: record.afterStop === "remove" ? "remove" : "stopped" }, [
        reply(true, "already stopping", "STOPPED"),
      ]);
  }
}

/** `restart`: a process that is up (or starting) is stopped with its reload_timeout and started again; in any other state, as `start`. */
export function onRestart<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  if (record.state !== "STARTING" && record.state !== "RUNNING") return onStart(record);
  return beginStop(record, "start", secondsToMs(record.spec.reload_timeout), [reply(true, "restarting", "RUNNING")]);
}

/** A reread removed the child: stopped, then dropped. */
export function onRemove<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
    case "STANDBY":
      return unchanged(record, [{ type: "removed" }]);
    case "BACKOFF":
      return unchanged(record, [{ type: "clear-timer", timer: "retry" }, { type: "removed" }]);
    case "STARTING":
    case "RUNNING":
      // Still supervised until the process has exited, SIGKILL included.
      return beginStop(record, "remove", secondsToMs(record.spec.stop_timeout), []);
    case "STOPPING":
      return unchanged({ ...record, afterStop: "remove" });
  }
}

/** A reread changed this child's spec: restart with it, unless stopped by hand. */
export function onReconfigure<S extends ChildSpec>(record: ChildRecord<S>, spec: S): Transition<S> {
  if (record.state === "STOPPED") return unchanged({ ...record, spec, pendingSpec: null });
  const withSpec = { ...record, pendingSpec: spec };
  switch (record.state) {
    case "STARTING":
    case "RUNNING":
      return beginStop(withSpec, "start", secondsToMs(record.spec.reload_timeout), []);
    case "BACKOFF":
      return spawn(byHand(withSpec), [{ type: "clear-timer", timer: "retry" }]);
    case "EXITED":
    case "FATAL":
    case "STANDBY":
      // A changed spec may be what it needed: start it (a singleton still waits for its lease).
      return spawn(byHand(withSpec), []);
    case "STOPPING":
      // Applied when it starts next (after a restart, or by hand after a stop).
      // A child being removed that a reread brings back starts again once stopped.
      return unchanged(record.afterStop === "remove" ? { ...withSpec, afterStop: "start" } : withSpec);
  }
}

/** Stop for good (the manager or master is stopping). */
export function onShutdown<S extends ChildSpec>(record: ChildRecord<S>, event: Extract<ChildEvent<S>, { type: "shutdown" }>): Transition<S> {
  const stopMs = secondsToMs(record.spec.stop_timeout);
  const timeoutMs = event.timeoutMs === null ? stopMs : Math.min(stopMs, event.timeoutMs);
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
      return unchanged(record);
    case "BACKOFF":
      return { next: { ...record, state: "STOPPED", nextRetryAt: null }, effects: [{ type: "clear-timer", timer: "retry" }] };
    case "STANDBY":
      return unchanged({ ...record, state: "STOPPED" });
    case "STARTING":
    case "RUNNING":
      return beginStop(record, "stopped", timeoutMs, [], event.signal);
    case "STOPPING": {
      const afterStop = record.afterStop === "start" ? "stopped" : record.afterStop;
      if (record.pid === null) {
        // The spawn is still in flight; the stop goes out once the pid is known.
        return unchanged({ ...record, afterStop, stopTimeoutMs: Math.min(record.stopTimeoutMs ?? timeoutMs, timeoutMs) });
      }
      // A quick stop after a graceful one only ever brings SIGKILL closer (the stop under way keeps the earlier deadline).
      const effects: Effect<S>[] = event.signal === undefined ? [] : [{ type: "signal", pid: record.pid, signal: event.signal }];
      return unchanged({ ...record, afterStop }, [...effects, { type: "hurry", timeoutMs }]);
    }
  }
}
