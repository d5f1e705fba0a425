/**
 * The `ProcTable` capability, the same on every runtime: what ./proc-read.ts
 * reads (node:fs, or libc under Deno). One readdir and one small read per
 * process; nothing here parses what it reads.
 */
import { listProcPids, readProcBytes, readProcFile } from "./proc-read.ts";
import type { ProcTable } from "./types.ts";

/** Reads /proc; empty answers where there is none. */
export const procTable: ProcTable = {
  listPids: () => listProcPids() ?? [],
  readStat: (pid) => readProcFile(`/proc/${pid}/stat`),
  readAuxv: () => readProcBytes("/proc/self/auxv"),
};
