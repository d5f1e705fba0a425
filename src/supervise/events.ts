/**
 * The supervision machine's answers to process news and timers (pure): the
 * spawn succeeded or failed, the process exited, it is up. Restart policies
 * (policy.ts) decide between BACKOFF, EXITED and FATAL.
 */
import { formatExit } from "../runtime/index.ts";
import { nextRestartDelay, shouldRestart, startRetriesExhausted } from "./policy.ts";
import type { ChildEvent, ChildRecord, ChildSpec, Effect, LastExit, Transition } from "./record.ts";
import { backoff, beginStop, giveUp, secondsToMs, spawn, unchanged } from "./steps.ts";

/** The spawn succeeded: STARTING with a pid, RUNNING at once with startsecs 0. */
export function onSpawned<S extends ChildSpec>(record: ChildRecord<S>, pid: number, now: number): Transition<S> {
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

/** The spawn failed: BACKOFF, or FATAL once start_retries failed starts in a row. */
export function onSpawnFailed<S extends ChildSpec>(record: ChildRecord<S>, error: string, now: number): Transition<S> {
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

/** The process exited: BACKOFF, EXITED or FATAL by the restart policy, or the end of a stop. */
export function onExited<S extends ChildSpec>(record: ChildRecord<S>, event: Extract<ChildEvent<S>, { type: "exited" }>, now: number): Transition<S> {
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
export function onUp<S extends ChildSpec>(record: ChildRecord<S>): Transition<S> {
  return record.state === "STARTING" && record.pid !== null
    ? { next: { ...record, state: "RUNNING", lastError: null, startFailures: 0 }, effects: [{ type: "log", level: "info", message: "running" }] }
    : unchanged(record);
}
