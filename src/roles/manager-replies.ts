/**
 * The manager role's side of the control socket: the companion supervisor's
 * domain outcomes become wire replies here, and the full status reply is kept
 * pre-encoded so that a busy monitoring client costs no allocation.
 */
import type { CommandOutcome, CompanionRecord, CompanionSupervisor, RereadOutcome, StatusOutcome } from "../companion/supervisor.ts";
import { describeRecord, restartCount } from "../companion/status.ts";
import { leaseStatus } from "../companion/lease/singletons.ts";
import type { LeaseView } from "../companion/lease/keeper.ts";
import { encodeReply, type CommandReply, type CompanionStatus, type ErrorReply, type MemberResult, type RereadReply, type ResultsReply, type StatusReply } from "../control/protocol.ts";
import type { Clock } from "../supervise/clock.ts";
import { currentRestartDelay } from "../supervise/policy.ts";

/** A singleton's lease as the supervisor last saw it; null for other companions. */
type LeaseOf = (name: string) => { view: LeaseView | null; standby: string } | null;

/** The `status` entry of one record. */
export function toCompanionStatus(record: CompanionRecord, now: number, leaseOf: LeaseOf = () => null): CompanionStatus {
  const running = record.pid !== null && record.spawnedAt !== null;
  const lease = leaseOf(record.name);
  return {
    name: record.name,
    state: record.state,
    pid: record.pid,
    description: describeRecord(record, now, lease?.standby ?? null),
    // Tenths of a second: replies are cached per 100 ms (see createStatusCache).
    uptime: running ? Math.round(Math.max(0, now - (record.spawnedAt ?? now)) / 100) / 10 : null,
    restart_count: restartCount(record),
    exit_count: record.exitCount,
    kill_count: record.killCount,
    last_exit_code: record.lastExit?.exitCode ?? null,
    last_exit_signal: record.lastExit?.signal ?? null,
    last_exit_at: record.lastExit === null ? null : record.lastExit.at / 1000,
    next_retry_at: record.nextRetryAt === null ? null : record.nextRetryAt / 1000,
    restart_delay: currentRestartDelay(record.restart, record.lastDelayMs) / 1000,
    last_error: record.lastError,
    stopped_manually: record.stoppedManually,
    ...(lease === null ? {} : { lease: leaseStatus(lease.view, now) }),
  };
}

/** The reply to `status`. */
export function toStatusReply(outcome: StatusOutcome, now: number, leaseOf?: LeaseOf): StatusReply | ErrorReply {
  if (!outcome.ok) return { ok: false, error: outcome.error };
  return { ok: true, companions: outcome.records.map((record) => toCompanionStatus(record, now, leaseOf)) };
}

/** The reply to start, stop or restart. */
export function toCommandReply(outcome: CommandOutcome): CommandReply | ErrorReply {
  return { ...outcome };
}

/** One member's line in a reply naming several: its message, or its error without the repeated `name: `. */
export function toMemberResult(name: string, outcome: CommandOutcome): MemberResult {
  if (outcome.ok) return { name, ok: true, message: outcome.message };
  return { name, ok: false, message: outcome.error.startsWith(`${name}: `) ? outcome.error.slice(name.length + 2) : outcome.error };
}

/** The reply to a command naming several members (a group, or `all`): ok when every member is. */
export function toResultsReply(names: readonly string[], outcomes: readonly CommandOutcome[]): ResultsReply {
  const results = names.map((name, i) => toMemberResult(name, outcomes[i] as CommandOutcome));
  return { ok: results.every((result) => result.ok), results };
}

/** The reply to a reread that applied. */
export function toRereadReply(outcome: RereadOutcome): RereadReply {
  return { ok: true, ...outcome };
}

/** Milliseconds a cached status reply may be served for (uptimes are in tenths). */
const STATUS_CACHE_MS = 100;

/** The full status reply as an encoded line, cached until a companion changes or the next 100 ms begin. */
export function createStatusCache(companions: Pick<CompanionSupervisor, "status" | "version" | "leaseOf">, clock: Pick<Clock, "now">): { line(): Uint8Array } {
  let cached: { version: number; bucket: number; bytes: Uint8Array } | null = null;
  return {
    line() {
      const now = clock.now();
      const bucket = Math.floor(now / STATUS_CACHE_MS);
      if (cached === null || cached.version !== companions.version || cached.bucket !== bucket) {
        cached = { version: companions.version, bucket, bytes: encodeReply(toStatusReply(companions.status(), now, (name) => companions.leaseOf(name))) };
      }
      return cached.bytes;
    },
  };
}
