/**
 * Pure: how a supervised record reads in `status` (supervisorctl-style
 * descriptions and uptimes) and whether a waiting client's wait is over.
 */
import { formatExit } from "../runtime/index.ts";
import type { ChildRecord as CompanionRecord, WaitTarget } from "../supervise/machine.ts";

/** Processes started after the first one: the `restart_count` of status and `companion_restarts_total`. */
export function restartCount(record: CompanionRecord): number {
  return Math.max(0, record.spawnCount - 1);
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `0:01:02`, or `2 days, 03:12:44` past a day, as supervisorctl prints uptimes. */
export function formatUptime(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const secs = total % 60;
  if (days === 0) return `${hours}:${pad2(minutes)}:${pad2(secs)}`;
  return `${days} ${days === 1 ? "day" : "days"}, ${pad2(hours)}:${pad2(minutes)}:${pad2(secs)}`;
}

/** `3s`, `0.5s`, `2m 05s`: a short duration for "retrying in …". */
export function formatDelay(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 9.95) return `${Number(seconds.toFixed(1))}s`;
  // Rounded first, so that 59.6 s and 60 s read the same.
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  return `${Math.floor(whole / 60)}m ${pad2(whole % 60)}s`;
}

function exitPhrase(record: CompanionRecord): string {
  if (record.lastError !== null && (record.lastExit === null || record.lastExit.exitCode !== 0)) {
    return record.lastExit === null ? `spawn failed: ${record.lastError}` : `${formatExit(record.lastExit.exitCode, record.lastExit.signal)}: ${record.lastError}`;
  }
  if (record.lastExit === null) return "exited";
  return formatExit(record.lastExit.exitCode, record.lastExit.signal);
}

/**
 * The human line of `status`: `pid 1234, uptime 0:00:05`, `exited with status 1, retrying in 3s`, …
 * `standby` says why a singleton waits (`held by web-2 pid 4121`, `redis unreachable: ECONNREFUSED`).
 */
export function describeRecord(record: CompanionRecord, now: number, standby: string | null = null): string {
  switch (record.state) {
    case "STANDBY":
      return standby === null ? "standby" : `standby, ${standby}`;
    case "RUNNING":
      return `pid ${record.pid}, uptime ${formatUptime((now - (record.spawnedAt ?? now)) / 1000)}`;
    case "STARTING":
      return record.pid === null ? "spawning" : `pid ${record.pid}, starting`;
    case "STOPPING": {
      const what = record.afterStop === "start" ? "restarting" : record.afterStop === "remove" ? "stopping (removed from config)" : "stopping";
      return record.pid === null ? what : `pid ${record.pid}, ${what}`;
    }
    case "BACKOFF":
      return `${exitPhrase(record)}, retrying in ${formatDelay((record.nextRetryAt ?? now) - now)}`;
    case "EXITED":
      return `${exitPhrase(record)}, not restarted`;
    case "FATAL":
      return record.lastExit === null || record.lastError === null ? `gave up: ${record.lastError ?? "cannot start"}` : `gave up: ${record.lastError} (last: ${formatExit(record.lastExit.exitCode, record.lastExit.signal)})`;
    case "STOPPED":
      if (record.stoppedManually) return "stopped manually";
      if (record.spawnCount === 0) return "not started";
      return record.lastExit === null ? "stopped" : `stopped (${formatExit(record.lastExit.exitCode, record.lastExit.signal)})`;
  }
}

/** The end of a wait: reached (ok) or failed, with a message. */
export interface WaitOutcome {
  ok: boolean;
  message: string;
}

/**
 * Whether a client waiting for `target` can be answered now. Null while the
 * companion is still on its way (STARTING, or STOPPING before a restart).
 */
export function settleWait(target: WaitTarget, record: CompanionRecord | null, now: number): WaitOutcome | null {
  if (record === null) return target === "STOPPED" ? { ok: true, message: "stopped and removed" } : { ok: false, message: "was removed" };
  if (target === "STOPPED") {
    if (record.state === "STOPPED") return { ok: true, message: "stopped" };
    if (record.state === "STOPPING") return null;
    return { ok: false, message: `was started again before it stopped (${record.state})` };
  }
  switch (record.state) {
    case "RUNNING":
      return { ok: true, message: `started (pid ${record.pid})` };
    case "STANDBY":
      // Where it should be: contending for its lease (another host runs it).
      return { ok: true, message: "standby, waiting for the lease" };
    case "BACKOFF":
    case "EXITED":
    case "FATAL":
      return { ok: false, message: `failed to start: ${describeRecord(record, now)}` };
    case "STOPPED":
      return { ok: false, message: "was stopped before it was running" };
    default:
      return null;
  }
}
