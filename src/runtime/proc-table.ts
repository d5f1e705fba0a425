/**
 * The `ProcTable` capability on every runtime: plain reads of /proc through
 * node:fs, which Bun, Deno and Node all offer. One readdir and one small read
 * per process; nothing here parses what it reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ProcTable } from "./types.ts";

function readText(path: string): string | null {
  try {
    return readFileSync(path, "latin1");
  } catch {
    return null;
  }
}

/** Reads /proc; empty answers where there is none. */
export const procTable: ProcTable = {
  listPids() {
    let names: string[];
    try {
      names = readdirSync("/proc");
    } catch {
      return [];
    }
    const pids: number[] = [];
    for (const name of names) {
      const first = name.charCodeAt(0);
      if (first >= 48 && first <= 57) pids.push(Number(name));
    }
    return pids;
  },
  readStat: (pid) => readText(`/proc/${pid}/stat`),
  readAuxv() {
    try {
      return readFileSync("/proc/self/auxv");
    } catch {
      return null;
    }
  },
};
