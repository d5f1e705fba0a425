import { expect, test } from "bun:test";
import { DEFAULT_UNITS, groupUsage, parseAuxv, parseStat, usageOf, type ProcStat } from "./proc-stat.ts";

/** A /proc/PID/stat line as Linux writes it (52 fields). */
function statLine(pid: number, comm: string, fields: { state?: string; pgrp?: number; utime?: number; stime?: number; cutime?: number; cstime?: number; rss?: number }): string {
  const rest = Array.from({ length: 50 }, () => "0");
  rest[0] = fields.state ?? "S";
  rest[1] = "1";
  rest[2] = String(fields.pgrp ?? pid);
  rest[11] = String(fields.utime ?? 0);
  rest[12] = String(fields.stime ?? 0);
  rest[13] = String(fields.cutime ?? 0);
  rest[14] = String(fields.cstime ?? 0);
  rest[21] = String(fields.rss ?? 0);
  return `${pid} (${comm}) ${rest.join(" ")}\n`;
}

test("parseStat reads a real line of this process", () => {
  const text = require("node:fs").readFileSync("/proc/self/stat", "latin1") as string;
  const stat = parseStat(text);
  expect(stat?.pid).toBe(process.pid);
  expect(stat?.rssPages).toBeGreaterThan(0);
  expect(stat?.state).toBe("R");
});

test("parseStat counts fields from the last ')' (a command name with spaces and parentheses)", () => {
  const stat = parseStat(statLine(42, "a) (b c) d", { pgrp: 40, utime: 7, stime: 3, cutime: 2, cstime: 1, rss: 9 }));
  expect(stat).toEqual({ pid: 42, state: "S", ppid: 1, pgrp: 40, utime: 7, stime: 3, cutime: 2, cstime: 1, rssPages: 9 });
});

test("parseStat refuses what is not a stat line", () => {
  expect(parseStat("")).toBeNull();
  expect(parseStat("42 (x) S 1 2")).toBeNull();
  expect(parseStat("no parens at all")).toBeNull();
  expect(parseStat(statLine(1, "x", { utime: Number.NaN }))).toBeNull();
});

test("parseAuxv finds the page size and clock ticks; defaults without it", () => {
  const entries = [
    [33n, 0x7fffn],
    [6n, 16384n],
    [17n, 250n],
    [0n, 0n],
    [6n, 1n],
  ];
  const bytes = new Uint8Array(entries.length * 16);
  const view = new DataView(bytes.buffer);
  entries.forEach(([type, value], i) => {
    view.setBigUint64(i * 16, type as bigint, true);
    view.setBigUint64(i * 16 + 8, value as bigint, true);
  });
  expect(parseAuxv(bytes)).toEqual({ pageSize: 16384, clockTicks: 250 });
  expect(parseAuxv(null)).toEqual(DEFAULT_UNITS);
  expect(parseAuxv(new Uint8Array(7))).toEqual(DEFAULT_UNITS);
  // This machine's own vector has a page size.
  expect(parseAuxv(require("node:fs").readFileSync("/proc/self/auxv")).pageSize).toBeGreaterThanOrEqual(4096);
});

test("usageOf: memory in bytes, CPU in seconds; reaped children only when asked; a zombie holds no memory", () => {
  const stat = parseStat(statLine(5, "x", { utime: 150, stime: 50, cutime: 100, cstime: 0, rss: 10 })) as ProcStat;
  expect(usageOf(stat, DEFAULT_UNITS, true)).toEqual({ rssBytes: 40960, cpuSeconds: 3, processes: 1 });
  expect(usageOf(stat, DEFAULT_UNITS, false)).toEqual({ rssBytes: 40960, cpuSeconds: 2, processes: 1 });
  expect(usageOf({ ...stat, state: "Z" }, DEFAULT_UNITS, true)).toEqual({ rssBytes: 0, cpuSeconds: 3, processes: 0 });
});

test("groupUsage sums the members of the groups asked about and nothing else", () => {
  const stats = [
    statLine(10, "leader", { pgrp: 10, utime: 100, rss: 100 }),
    statLine(11, "child", { pgrp: 10, stime: 100, rss: 50 }),
    statLine(12, "zombie", { pgrp: 10, state: "Z", utime: 100 }),
    statLine(20, "other", { pgrp: 20, utime: 100, rss: 1 }),
    statLine(30, "stranger", { pgrp: 30, rss: 1000 }),
  ].map((line) => parseStat(line) as ProcStat);
  const sums = groupUsage(stats, new Set([10, 20, 99]), { pageSize: 1000, clockTicks: 100 });
  expect(Object.fromEntries(sums)).toEqual({
    10: { rssBytes: 150_000, cpuSeconds: 3, processes: 2 },
    20: { rssBytes: 1000, cpuSeconds: 1, processes: 1 },
    99: { rssBytes: 0, cpuSeconds: 0, processes: 0 },
  });
});
