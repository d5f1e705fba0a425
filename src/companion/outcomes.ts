/** The domain outcomes of the companion supervisor (supervisor.ts); the manager role turns them into wire replies. */
import type { ResolvedCompanion } from "../config/resolve.ts";
import type { ChildRecord, ChildState } from "../supervise/machine.ts";

/** One companion's record. */
export type CompanionRecord = ChildRecord<ResolvedCompanion>;

/** The answer to `status`: the records asked for, or which names are unknown. */
export type StatusOutcome = { ok: true; records: CompanionRecord[] } | { ok: false; error: string };

/** The outcome of start, stop or restart. */
export type CommandOutcome =
  | { ok: true; name: string; state: ChildState; message: string; pid: number | null }
  | { ok: false; error: string; name?: string; state?: ChildState };

/** What a reread changed. `updated`: changed, but stopped by hand, so stored for the next start. */
export interface RereadOutcome {
  added: string[];
  removed: string[];
  restarted: string[];
  updated: string[];
  unchanged: string[];
}
