/** The companion supervisor's interface (supervisor.ts) and its domain outcomes; the manager role turns them into wire replies. */
import type { CompanionConfig, ResolvedCompanion } from "../config/resolve.ts";
import type { SignalName } from "../runtime/index.ts";
import type { ChildRecord, ChildState } from "../supervise/machine.ts";
import type { LeaseView } from "./lease/keeper.ts";
import type { NameResolution } from "./names.ts";

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

/** The running companions. */
export interface CompanionSupervisor {
  /** Creates a record per companion and starts them all. */
  start(config: CompanionConfig): void;
  /** The records asked for: member names, group names (their members) or `all`; every record when none. */
  status(names?: readonly string[]): StatusOutcome;
  /** Which members a request's name means (a member, a group, or `all`). */
  resolve(name: string): NameResolution;
  /** Sends `signal` to one companion's process group; an error when no process runs. */
  signal(name: string, signal: SignalName): CommandOutcome;
  command(cmd: "start" | "stop" | "restart", name: string, wait: boolean): Promise<CommandOutcome>;
  /** A singleton's lease was acquired or lost. */
  leaseEvent(name: string, event: { type: "lease-acquired" } | { type: "lease-lost"; timeoutMs: number }): void;
  /** A singleton's lease as last seen, and why it waits when STANDBY. */
  leaseOf(name: string): { view: LeaseView | null; standby: string } | null;
  /** Applies a new, already validated companion config (the second half of `reread`). */
  apply(config: CompanionConfig): RereadOutcome;
  /** Stops every companion; resolves once all are stopped. Quick: SIGKILL after at most QUICK_STOP_TIMEOUT_MS. */
  shutdown(quick: boolean): Promise<void>;
  readonly shuttingDown: boolean;
  /** The config in force (after rereads). */
  readonly config: CompanionConfig;
  /** Bumped whenever any companion changes (status caches compare it). */
  readonly version: number;
}
