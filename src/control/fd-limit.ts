/**
 * How many control connections fit under the process's open-file limit. A
 * table larger than what the process can accept would never fill up, so it
 * would never make room (docs/security.md, "Clients"): the connections past
 * the limit would wait in the listen queue, the operator's among them.
 */
import { readFileSync } from "node:fs";

/** Descriptors kept for everything else the manager opens (companions' pipes and files, its own). */
export const RESERVED_FDS = 256;

/** The soft `Max open files` of /proc/self/limits, Infinity for "unlimited", null when the text has no such line. */
export function parseOpenFileLimit(limits: string): number | null {
  const match = /^Max open files\s+(\S+)/m.exec(limits);
  if (match === null) return null;
  return match[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(match[1]) || null;
}

/** The table size for `wanted` connections under an open-file limit (null: unknown, `wanted` as is); at least 16. */
export function connectionsUnder(wanted: number, openFileLimit: number | null): number {
  return openFileLimit === null ? wanted : Math.min(wanted, Math.max(16, openFileLimit - RESERVED_FDS));
}

/** This process's open-file limit (Linux; null elsewhere). Runtimes raise the soft limit to the hard one at start. */
export function openFileLimit(): number | null {
  try {
    return parseOpenFileLimit(readFileSync("/proc/self/limits", "utf8"));
  } catch {
    return null;
  }
}
