/**
 * What companions' process groups and the manager itself use, read from the
 * process table: one pass over /proc per scrape whatever the number of
 * companions (a pid list and one small read per process), and nothing at
 * all when no companion has a process. docs/metrics.md has the cost.
 */
import type { ProcTable } from "../runtime/index.ts";
import { groupUsage, parseAuxv, parseStat, usageOf, type ProcStat, type Usage } from "./proc-stat.ts";

/** Reads usage for metrics. */
export interface UsageReader {
  /** Usage per process group, for the groups asked about (each gets an entry, zero when empty). */
  groups(pgids: ReadonlySet<number>): Map<number, Usage>;
  /** This process's own usage; null where /proc cannot tell. */
  self(): Usage | null;
}

/** A usage reader over a process table. */
export function createUsageReader(proc: ProcTable): UsageReader {
  const units = parseAuxv(proc.readAuxv());
  function* stats(): Generator<ProcStat> {
    for (const pid of proc.listPids()) {
      const text = proc.readStat(pid);
      const stat = text === null ? null : parseStat(text);
      if (stat !== null) yield stat;
    }
  }
  return {
    groups: (pgids) => groupUsage(pgids.size === 0 ? [] : stats(), pgids, units),
    self() {
      const text = proc.readStat("self");
      const stat = text === null ? null : parseStat(text);
      return stat === null ? null : usageOf(stat, units, false);
    },
  };
}
