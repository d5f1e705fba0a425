/**
 * Pure: the parts of Linux's /proc this program reads for metrics — one
 * process's /proc/PID/stat line, the auxiliary vector's page size and clock
 * tick rate — and the sum of a process group's memory and CPU. See
 * docs/metrics.md.
 */

/** The fields of /proc/PID/stat that metrics use. Times are in clock ticks, rss in pages. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z, T, …; Z and X are dead (a zombie holds no memory). */
  state: string;
  ppid: number;
  pgrp: number;
  utime: number;
  stime: number;
  /** Ticks of children it has reaped (their CPU moves here when they are waited for). */
  cutime: number;
  cstime: number;
  rssPages: number;
}

/** Parses one /proc/PID/stat text; null when it is not one. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf(" (");
  // The command name (field 2) may hold spaces and parentheses; count from the last ')'.
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) return null;
  const fields = text.slice(close + 2).split(" ");
  if (fields.length < 22) return null;
  const number = (index: number) => Number(fields[index]);
  const stat: ProcStat = {
    pid: Number(text.slice(0, open)),
    state: fields[0] ?? "",
    ppid: number(1),
    pgrp: number(2),
    utime: number(11),
    stime: number(12),
    cutime: number(13),
    cstime: number(14),
    rssPages: number(21),
  };
  for (const value of Object.values(stat)) if (typeof value === "number" && !Number.isFinite(value)) return null;
  return stat;
}

/** What a process (or a group of them) uses. */
export interface Usage {
  rssBytes: number;
  cpuSeconds: number;
  /** Live (non-zombie) processes counted. */
  processes: number;
}

/** The units /proc counts in. */
export interface ProcUnits {
  pageSize: number;
  clockTicks: number;
}

/** Linux's usual units, for when the auxiliary vector cannot be read. */
export const DEFAULT_UNITS: ProcUnits = { pageSize: 4096, clockTicks: 100 };

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

/** Page size and clock ticks from /proc/self/auxv (64-bit little-endian pairs of type and value). */
export function parseAuxv(bytes: Uint8Array | null): ProcUnits {
  const units = { ...DEFAULT_UNITS };
  if (bytes === null) return units;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let offset = 0; offset + 16 <= bytes.byteLength; offset += 16) {
    const type = Number(view.getBigUint64(offset, true));
    const value = Number(view.getBigUint64(offset + 8, true));
    if (type === 0) break;
    if (type === AT_PAGESZ && value > 0) units.pageSize = value;
    if (type === AT_CLKTCK && value > 0) units.clockTicks = value;
  }
  return units;
}

/**
 * One process's usage: its resident memory and its CPU, with that of the
 * children it reaped when `reaped` (a companion's tree; not the manager's
 * own, whose reaped children are the companions).
 */
export function usageOf(stat: ProcStat, units: ProcUnits, reaped: boolean): Usage {
  const dead = stat.state === "Z" || stat.state === "X";
  const ticks = stat.utime + stat.stime + (reaped ? stat.cutime + stat.cstime : 0);
  return {
    rssBytes: dead ? 0 : stat.rssPages * units.pageSize,
    cpuSeconds: ticks / units.clockTicks,
    processes: dead ? 0 : 1,
  };
}

/** Sums usage per process group, for the groups asked about only; every asked group gets an entry. */
export function groupUsage(stats: Iterable<ProcStat>, pgids: ReadonlySet<number>, units: ProcUnits): Map<number, Usage> {
  const sums = new Map<number, Usage>();
  for (const pgid of pgids) sums.set(pgid, { rssBytes: 0, cpuSeconds: 0, processes: 0 });
  for (const stat of stats) {
    const sum = sums.get(stat.pgrp);
    if (sum === undefined) continue;
    const one = usageOf(stat, units, true);
    sum.rssBytes += one.rssBytes;
    sum.cpuSeconds += one.cpuSeconds;
    sum.processes += one.processes;
  }
  return sums;
}
