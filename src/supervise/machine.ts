/**
 * The supervision machine, pure: `transition(record, event, now)` returns the
 * next record and the effects to run (spawn, stop within a deadline, timers,
 * replies), for any kind of child. docs/states.md has the states × commands
 * table it implements; interpreter.ts runs the effects.
 */
import { formatExit } from "../runtime/index.ts";
import { nextRestartDelay, shouldRestart, startRetriesExhausted } from "./policy.ts";
import type { AfterStop, ChildEvent, ChildRecord, ChildSpec, Effect, LastExit, Transition, WaitTarget } from "./record.ts";
import type { SignalName } from "../runtime/index.ts";

export { createRecord, DOWN_STATES } from "./record.ts";
export type { AfterStop, ChildEvent, ChildRecord, ChildSpec, ChildState, Effect, LastExit, TimerKind, Transition, WaitTarget } from "./record.ts";

const secondsToMs = (seconds: number) => Math.round(seconds * 1000);

const reply = <S extends ChildSpec>(ok: boolean, message: string, wait: WaitTarget | null = null): Effect<S> => ({ type: "reply", ok, message, wait });

const unchanged = <S extends ChildSpec>(record: ChildRecord<S>, effects: Effect<S>[] = []): Transition<S> => ({ next: record, effects });

/** Spawn now (from STOPPED or BACKOFF, or after a stop): applies a pending spec. */
function spawn<S extends ChildSpec>(record: ChildRecord<S>, effects: Effect<S>[]): Transition<S> {
  const spec = record.pendingSpec ?? record.spec;
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
function beginStop<S extends ChildSpec>(
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
function backoff<S extends ChildSpec>(record: ChildRecord<S>, now: number, effects: Effect<S>[], lastError: string | null, delayMs: number): Transition<S> {
  return {
    next: { ...record, state: "BACKOFF", pid: null, spawning: false, spawnedAt: null, lastDelayMs: delayMs, nextRetryAt: now + delayMs, lastError },
    effects: [...effects, { type: "set-timer", timer: "retry", delayMs }],
  };
}

/** Leave it down without a retry: EXITED (its restart policy says so) or FATAL (starting it again cannot help). */
function giveUp<S extends ChildSpec>(record: ChildRecord<S>, state: "EXITED" | "FATAL", lastError: string | null, effects: Effect<S>[]): Transition<S> {
  return { next: { ...record, state, pid: null, spawning: false, spawnedAt: null, nextRetryAt: null, lastError }, effects };
}

/** Started by hand (or by a reread): the count of failed starts begins again. */
const byHand = <S extends ChildSpec>(record: ChildRecord<S>): ChildRecord<S> => ({ ...record, startFailures: 0 });

function onStart<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
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
  }
}

function onStop<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
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
      return { next: { ...record, state: "STOPPED", stoppedManually: true }, effects: [reply(true, "stopped")] };
    case "STOPPING":
      // A stop while a restart is under way cancels the start that would follow.
      return unchanged({ ...record, stoppedManually: true, afterStop: record.afterStop === "remove" ? "remove" : "stopped" }, [
        reply(true, "already stopping", "STOPPED"),
      ]);
  }
}

function onRestart<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
      return spawn(byHand(record), [reply(true, "starting", "RUNNING")]);
    case "STARTING":
    case "RUNNING":
      return beginStop(record, "start", secondsToMs(record.spec.reload_timeout), [reply(true, "restarting", "RUNNING")]);
    case "BACKOFF":
      return spawn(byHand(record), [{ type: "clear-timer", timer: "retry" }, reply(true, "starting", "RUNNING")]);
    case "STOPPING":
      return unchanged(record, [reply(false, "is stopping, retry later")]);
  }
}

function onRemove<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
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
function onReconfigure<S extends ChildSpec>(record: ChildRecord<S>, spec: S): Transition<S> {
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
      // A changed spec may be what it needed: start it.
      return spawn(byHand(withSpec), []);
    case "STOPPING":
      // Applied when it starts next (after a restart, or by hand after a stop).
      // A child being removed that a reread brings back starts again once stopped.
      return unchanged(record.afterStop === "remove" ? { ...withSpec, afterStop: "start" } : withSpec);
  }
}

function onShutdown<S extends ChildSpec>(record: ChildRecord<S>, event: Extract<ChildEvent<S>, { type: "shutdown" }>): Transition<S> {
  const stopMs = secondsToMs(record.spec.stop_timeout);
  const timeoutMs = event.timeoutMs === null ? stopMs : Math.min(stopMs, event.timeoutMs);
  switch (record.state) {
    case "STOPPED":
    case "EXITED":
    case "FATAL":
      return unchanged(record);
    case "BACKOFF":
      return { next: { ...record, state: "STOPPED", nextRetryAt: null }, effects: [{ type: "clear-timer", timer: "retry" }] };
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

function onSpawned<S extends ChildSpec>(record: ChildRecord<S>, pid: number, now: number): Transition<S> {
  if (!record.spawning) return unchanged(record, [{ type: "log", level: "warn", message: `unexpected spawn report for pid ${pid}` }]);
  const started = { ...record, pid, spawning: false, spawnedAt: now };
  if (record.state === "STOPPING") {
    // Stopped while the spawn was in flight: stop the new process right away.
    return beginStop(started, record.afterStop, record.stopTimeoutMs ?? secondsToMs(record.spec.stop_timeout), []);
  }
  const log: Effect<S> = { type: "log", level: "info", message: `spawned with pid ${pid}` };
  const { startsecs } = record.spec;
  if (startsecs === 0) return { next: { ...started, state: "RUNNING", lastError: null, startFailures: 0 }, effects: [log] };
  if (startsecs === null) return { next: started, effects: [log] };
  return { next: started, effects: [log, { type: "set-timer", timer: "startsecs", delayMs: secondsToMs(startsecs) }] };
}

function onSpawnFailed<S extends ChildSpec>(record: ChildRecord<S>, error: string, now: number): Transition<S> {
  if (!record.spawning) return unchanged(record);
  const failed = { ...record, spawning: false, pid: null, startFailures: record.startFailures + 1 };
  const log: Effect<S> = { type: "log", level: "error", message: `spawn failed: ${error}` };
  if (record.state === "STOPPING") return finishStop({ ...failed, lastError: error }, [log]);
  if (startRetriesExhausted(record.restart, failed.startFailures)) {
    return giveUp(failed, "FATAL", `${error} (${failed.startFailures} failed start${failed.startFailures === 1 ? "" : "s"} in a row)`, [
      { ...log, message: `spawn failed: ${error}; not retried (start_retries ${record.restart.startRetries})` },
    ]);
  }
  return backoff(failed, now, [log], error, nextRestartDelay(record.restart, record.lastDelayMs, 0));
}

/** The process being stopped is gone: stay stopped, start again, or drop the record. */
function finishStop<S extends ChildSpec>(record: ChildRecord<S>, effects: Effect<S>[]): Transition<S> {
  const stopped: ChildRecord<S> = { ...record, pid: null, spawnedAt: null, stopTimeoutMs: null };
  if (record.afterStop === "remove") return { next: { ...stopped, state: "STOPPED" }, effects: [...effects, { type: "removed" }] };
  if (record.afterStop === "start") return spawn(stopped, effects);
  return { next: { ...stopped, state: "STOPPED", afterStop: "stopped" }, effects };
}

function onExited<S extends ChildSpec>(record: ChildRecord<S>, event: Extract<ChildEvent<S>, { type: "exited" }>, now: number): Transition<S> {
  if (record.pid === null) return unchanged(record);
  const lastExit: LastExit = { exitCode: event.exitCode, signal: event.signal, at: now };
  const exited = { ...record, lastExit, exitCount: record.exitCount + 1 };
  const how = formatExit(event.exitCode, event.signal);
  const why = event.reason ? ` (${event.reason})` : "";
  switch (record.state) {
    case "STARTING":
    case "RUNNING": {
      const early = record.state === "STARTING";
      const during = !early ? "" : record.spec.startsecs === null ? " before it was ready" : " before startsecs";
      const clear: Effect<S> = { type: "clear-timer", timer: "startsecs" };
      if (event.fatal === true) {
        return giveUp(exited, "FATAL", event.reason ?? how, [clear, { type: "log", level: "error", message: `${how}${during}${why}; not retried: it cannot start` }]);
      }
      if (!shouldRestart(record.restart, event.exitCode, event.signal)) {
        return giveUp(exited, "EXITED", event.reason ?? null, [
          clear,
          { type: "log", level: "info", message: `${how}${during}${why}; not restarted (restart_policy ${record.restart.when ?? "always"})` },
        ]);
      }
      const failures = early ? record.startFailures + 1 : 0;
      if (early && startRetriesExhausted(record.restart, failures)) {
        const gaveUp = `exited ${failures} time${failures === 1 ? "" : "s"} in a row${during}`;
        return giveUp({ ...exited, startFailures: failures }, "FATAL", event.reason ?? gaveUp, [
          clear,
          { type: "log", level: "error", message: `${how}${during}${why}; ${gaveUp}: not retried (start_retries ${record.restart.startRetries})` },
        ]);
      }
      const delayMs = event.delayMs ?? nextRestartDelay(record.restart, record.lastDelayMs, now - (record.spawnedAt ?? now));
      return backoff(
        { ...exited, startFailures: failures },
        now,
        [clear, { type: "log", level: "warn", message: `${how}${during}${why}; restarting in ${delayMs / 1000}s` }],
        event.reason ?? null,
        delayMs,
      );
    }
    case "STOPPING":
      return finishStop(exited, [{ type: "log", level: "info", message: `${how}${why}` }]);
    default:
      return unchanged(record);
  }
}

/** STARTING → RUNNING once the process is up (startsecs passed, or it said so). */
function onUp<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  return record.state === "STARTING" && record.pid !== null
    ? { next: { ...record, state: "RUNNING", lastError: null, startFailures: 0 }, effects: [{ type: "log", level: "info", message: "running" }] }
    : unchanged(record);
}

/** The machine: one event in, the next record and the effects out. `now` is epoch ms. */
export function transition<S extends ChildSpec>(record: ChildRecord<S>, event: ChildEvent<S>, now: number): Transition<S> {
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
    case "killed":
      if (record.state !== "STOPPING" || record.pid === null) return unchanged(record);
      return {
        next: { ...record, killCount: record.killCount + 1 },
        effects: [{ type: "log", level: "warn", message: `did not stop within its timeout; sending SIGKILL to ${record.pid}` }],
      };
  }
}
