/**
 * The companion state machine, pure: `transition(record, event, now)` returns
 * the next record and the effects to run (spawn, signal, timers, replies).
 * SPEC §4's command table lives here; `manager.ts` interprets the effects.
 */
import type { ResolvedCompanion } from "../config/resolve.ts";
import { formatExit, type AfterStop, type CompanionEvent, type CompanionRecord, type Effect, type LastExit, type Transition, type WaitTarget } from "./record.ts";

export { createRecord, formatExit } from "./record.ts";
export type { AfterStop, CompanionEvent, CompanionRecord, CompanionState, Effect, LastExit, TimerKind, Transition, WaitTarget } from "./record.ts";

const secondsToMs = (seconds: number) => Math.round(seconds * 1000);

const reply = (ok: boolean, message: string, wait: WaitTarget | null = null): Effect => ({ type: "reply", ok, message, wait });

/** Spawn now (from STOPPED or BACKOFF, or after a stop): applies a pending spec. */
function spawn(record: CompanionRecord, effects: Effect[]): Transition {
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
      stopDeadlineAt: null,
      spawnCount: record.spawnCount + 1,
    },
    effects: [...effects, { type: "spawn", spec }],
  };
}

/** Send the stop signal (if the pid is known yet) and arm the SIGKILL deadline. */
function beginStop(record: CompanionRecord, afterStop: AfterStop, timeoutMs: number, now: number, effects: Effect[]): Transition {
  const out: Effect[] = [...effects, { type: "clear-timer", timer: "startsecs" }];
  let stopDeadlineAt: number | null = null;
  if (record.pid !== null) {
    out.push({ type: "signal", pid: record.pid, signal: record.spec.stop_signal });
    out.push({ type: "set-timer", timer: "stop-deadline", delayMs: timeoutMs });
    stopDeadlineAt = now + timeoutMs;
  }
  return { next: { ...record, state: "STOPPING", afterStop, stopTimeoutMs: timeoutMs, stopDeadlineAt }, effects: out };
}

/** Enter BACKOFF and schedule the retry. */
function backoff(record: CompanionRecord, now: number, effects: Effect[], lastError: string | null): Transition {
  return {
    next: {
      ...record,
      state: "BACKOFF",
      pid: null,
      spawning: false,
      spawnedAt: null,
      nextRetryAt: now + record.restartDelayMs,
      lastError,
    },
    effects: [...effects, { type: "set-timer", timer: "retry", delayMs: record.restartDelayMs }],
  };
}

const unchanged = (record: CompanionRecord, effects: Effect[] = []): Transition => ({ next: record, effects });

function onStart(record: CompanionRecord): Transition {
  switch (record.state) {
    case "STOPPED":
      return spawn(record, [reply(true, "starting", "RUNNING")]);
    case "STARTING":
      return unchanged(record, [reply(true, "already starting", "RUNNING")]);
    case "RUNNING":
      return unchanged(record, [reply(true, "already running")]);
    case "BACKOFF":
      return spawn(record, [{ type: "clear-timer", timer: "retry" }, reply(true, "starting", "RUNNING")]);
    case "STOPPING":
      return unchanged(record, [reply(false, "is stopping, retry later")]);
  }
}

function onStop(record: CompanionRecord, now: number): Transition {
  switch (record.state) {
    case "STOPPED":
      return unchanged({ ...record, stoppedManually: true }, [reply(true, "already stopped")]);
    case "STARTING":
    case "RUNNING":
      return beginStop({ ...record, stoppedManually: true }, "stopped", secondsToMs(record.spec.stop_timeout), now, [
        reply(true, "stopping", "STOPPED"),
      ]);
    case "BACKOFF":
      return {
        next: { ...record, state: "STOPPED", stoppedManually: true, nextRetryAt: null },
        effects: [{ type: "clear-timer", timer: "retry" }, reply(true, "stopped")],
      };
    case "STOPPING":
      // A stop while a restart is under way cancels the start that would follow.
      return unchanged(
        { ...record, stoppedManually: true, afterStop: record.afterStop === "remove" ? "remove" : "stopped" },
        [reply(true, "already stopping", "STOPPED")],
      );
  }
}

function onRestart(record: CompanionRecord, now: number): Transition {
  switch (record.state) {
    case "STOPPED":
      return spawn(record, [reply(true, "starting", "RUNNING")]);
    case "STARTING":
    case "RUNNING":
      return beginStop(record, "start", secondsToMs(record.spec.reload_timeout), now, [reply(true, "restarting", "RUNNING")]);
    case "BACKOFF":
      return spawn(record, [{ type: "clear-timer", timer: "retry" }, reply(true, "starting", "RUNNING")]);
    case "STOPPING":
      return unchanged(record, [reply(false, "is stopping, retry later")]);
  }
}

function onRemove(record: CompanionRecord, now: number): Transition {
  switch (record.state) {
    case "STOPPED":
      return unchanged(record, [{ type: "removed" }]);
    case "BACKOFF":
      return unchanged(record, [{ type: "clear-timer", timer: "retry" }, { type: "removed" }]);
    case "STARTING":
    case "RUNNING":
      // Still supervised until the process has exited, SIGKILL included.
      return beginStop(record, "remove", secondsToMs(record.spec.stop_timeout), now, []);
    case "STOPPING":
      return unchanged({ ...record, afterStop: "remove" });
  }
}

/** A reread changed this companion's spec: restart with it, unless stopped by hand. */
function onReconfigure(record: CompanionRecord, spec: ResolvedCompanion, now: number): Transition {
  if (record.state === "STOPPED") return unchanged({ ...record, spec, pendingSpec: null });
  const withSpec = { ...record, pendingSpec: spec };
  switch (record.state) {
    case "STARTING":
    case "RUNNING":
      return beginStop(withSpec, "start", secondsToMs(record.spec.reload_timeout), now, []);
    case "BACKOFF":
      return spawn(withSpec, [{ type: "clear-timer", timer: "retry" }]);
    case "STOPPING":
      // Applied when it starts next (after a restart, or by hand after a stop).
      // A companion being removed that a reread brings back starts again once stopped.
      return unchanged(record.afterStop === "remove" ? { ...withSpec, afterStop: "start" } : withSpec);
  }
}

function onShutdown(record: CompanionRecord, quickMs: number | null, now: number): Transition {
  const stopMs = secondsToMs(record.spec.stop_timeout);
  const timeoutMs = quickMs === null ? stopMs : Math.min(stopMs, quickMs);
  switch (record.state) {
    case "STOPPED":
      return unchanged(record);
    case "BACKOFF":
      return { next: { ...record, state: "STOPPED", nextRetryAt: null }, effects: [{ type: "clear-timer", timer: "retry" }] };
    case "STARTING":
    case "RUNNING":
      return beginStop(record, "stopped", timeoutMs, now, []);
    case "STOPPING": {
      const afterStop = record.afterStop === "start" ? "stopped" : record.afterStop;
      if (record.pid === null) {
        // The spawn is still in flight; the signal goes out once the pid is known.
        return unchanged({ ...record, afterStop, stopTimeoutMs: Math.min(record.stopTimeoutMs ?? timeoutMs, timeoutMs) });
      }
      // A quick stop after a graceful one only ever brings SIGKILL closer.
      if (record.stopDeadlineAt === null || now + timeoutMs >= record.stopDeadlineAt) return unchanged({ ...record, afterStop });
      return {
        next: { ...record, afterStop, stopDeadlineAt: now + timeoutMs },
        effects: [{ type: "set-timer", timer: "stop-deadline", delayMs: timeoutMs }],
      };
    }
  }
}

function onSpawned(record: CompanionRecord, pid: number, now: number): Transition {
  if (!record.spawning) return unchanged(record, [{ type: "log", level: "warn", message: `unexpected spawn report for pid ${pid}` }]);
  const started = { ...record, pid, spawning: false, spawnedAt: now };
  if (record.state === "STOPPING") {
    // Stopped while the spawn was in flight: stop the new process right away.
    return beginStop(started, record.afterStop, record.stopTimeoutMs ?? secondsToMs(record.spec.stop_timeout), now, []);
  }
  const log: Effect = { type: "log", level: "info", message: `spawned with pid ${pid}` };
  if (record.spec.startsecs === 0) return { next: { ...started, state: "RUNNING", lastError: null }, effects: [log] };
  return {
    next: started,
    effects: [log, { type: "set-timer", timer: "startsecs", delayMs: secondsToMs(record.spec.startsecs) }],
  };
}

function onSpawnFailed(record: CompanionRecord, error: string, now: number): Transition {
  if (!record.spawning) return unchanged(record);
  const failed = { ...record, spawning: false, pid: null };
  const log: Effect = { type: "log", level: "error", message: `spawn failed: ${error}` };
  if (record.state === "STOPPING") return finishStop({ ...failed, lastError: error }, [log]);
  return backoff(failed, now, [log], error);
}

/** The process being stopped is gone: stay stopped, start again, or drop the record. */
function finishStop(record: CompanionRecord, effects: Effect[]): Transition {
  const out: Effect[] = [...effects, { type: "clear-timer", timer: "stop-deadline" }];
  const stopped: CompanionRecord = { ...record, pid: null, spawnedAt: null, stopTimeoutMs: null, stopDeadlineAt: null };
  if (record.afterStop === "remove") return { next: { ...stopped, state: "STOPPED" }, effects: [...out, { type: "removed" }] };
  if (record.afterStop === "start") return spawn(stopped, out);
  return { next: { ...stopped, state: "STOPPED", afterStop: "stopped" }, effects: out };
}

function onExited(record: CompanionRecord, event: Extract<CompanionEvent, { type: "exited" }>, now: number): Transition {
  if (record.pid === null) return unchanged(record);
  const lastExit: LastExit = { exitCode: event.exitCode, signal: event.signal, at: now };
  const exited = { ...record, lastExit, exitCount: record.exitCount + 1 };
  const how = formatExit(event.exitCode, event.signal);
  const why = event.reason ? ` (${event.reason})` : "";
  switch (record.state) {
    case "STARTING":
    case "RUNNING": {
      const during = record.state === "STARTING" ? " before startsecs" : "";
      return backoff(
        exited,
        now,
        [
          { type: "clear-timer", timer: "startsecs" },
          { type: "log", level: "warn", message: `${how}${during}${why}; restarting in ${record.restartDelayMs / 1000}s` },
        ],
        event.reason ?? null,
      );
    }
    case "STOPPING":
      return finishStop(exited, [{ type: "log", level: "info", message: `${how}${why}` }]);
    default:
      return unchanged(record);
  }
}

/** The machine: one event in, the next record and the effects out. `now` is epoch ms. */
export function transition(record: CompanionRecord, event: CompanionEvent, now: number): Transition {
  switch (event.type) {
    case "start":
      return onStart(record);
    case "stop":
      return onStop(record, now);
    case "restart":
      return onRestart(record, now);
    case "remove":
      return onRemove(record, now);
    case "reconfigure":
      return onReconfigure(record, event.spec, now);
    case "shutdown":
      return onShutdown(record, event.quickMs, now);
    case "spawned":
      return onSpawned(record, event.pid, now);
    case "spawn-failed":
      return onSpawnFailed(record, event.error, now);
    case "exited":
      return onExited(record, event, now);
    case "startsecs-elapsed":
      return record.state === "STARTING" && record.pid !== null
        ? { next: { ...record, state: "RUNNING", lastError: null }, effects: [{ type: "log", level: "info", message: "running" }] }
        : unchanged(record);
    case "retry-due":
      return record.state === "BACKOFF" ? spawn(record, []) : unchanged(record);
    case "stop-deadline":
      if (record.state !== "STOPPING" || record.pid === null) return unchanged(record);
      return {
        next: { ...record, killCount: record.killCount + 1, stopDeadlineAt: null },
        effects: [
          { type: "kill", pid: record.pid },
          { type: "log", level: "warn", message: `did not stop within its timeout; sending SIGKILL to process group ${record.pid}` },
        ],
      };
  }
}
