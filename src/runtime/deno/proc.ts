/**
 * The process table on Deno. Deno refuses every path under /proc without
 * --allow-all, so reads go through libc (open/read, opendir/readdir) with
 * the --allow-ffi the children already get (see ./prctl.ts); without it,
 * node:fs, which works under --allow-all.
 */
import { procTable } from "../proc-table.ts";
import type { ProcTable } from "../types.ts";

const encoder = new TextEncoder();
const cPath = (path: string) => encoder.encode(`${path}\0`);

/** `d_name` in glibc's 64-bit `struct dirent`: after d_ino, d_off (8 bytes each), d_reclen (2) and d_type (1). */
const DIRENT_NAME_OFFSET = 19;

type Libc = Record<string, (...args: unknown[]) => unknown>;

function openLibc(): Libc | null {
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    return Deno.dlopen("libc.so.6", {
      open: { parameters: ["buffer", "i32"], result: "i32" },
      read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
      opendir: { parameters: ["buffer"], result: "pointer" },
      readdir: { parameters: ["pointer"], result: "pointer" },
      closedir: { parameters: ["pointer"], result: "i32" },
    }).symbols;
  } catch {
    return null;
  }
}

/** The whole of a small file through libc; null when it cannot be opened. */
function readAll(libc: Libc, path: string): Uint8Array | null {
  const fd = Number(libc.open?.(cPath(path), 0));
  if (fd < 0) return null;
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const buffer = new Uint8Array(4096);
      const count = Number(libc.read?.(fd, buffer, BigInt(buffer.length)));
      if (count < 0) return null;
      if (count === 0) break;
      chunks.push(buffer.subarray(0, count));
    }
  } finally {
    libc.close?.(fd);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const all = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return all;
}

/** The process table for Deno (libc opened once, on first use). */
export function createDenoProcTable(): ProcTable {
  let libc: Libc | null | undefined;
  const lib = () => (libc === undefined ? (libc = openLibc()) : libc);
  const latin1 = new TextDecoder("latin1");
  return {
    listPids() {
      const c = lib();
      if (c === null) return procTable.listPids();
      const dir = c.opendir?.(cPath("/proc")) as Deno.PointerValue;
      if (dir === null) return [];
      const pids: number[] = [];
      try {
        for (let entry = c.readdir?.(dir) as Deno.PointerValue; entry !== null; entry = c.readdir?.(dir) as Deno.PointerValue) {
          const name = Deno.UnsafePointerView.getCString(entry, DIRENT_NAME_OFFSET);
          const first = name.charCodeAt(0);
          if (first >= 48 && first <= 57) pids.push(Number(name));
        }
      } finally {
        c.closedir?.(dir);
      }
      return pids;
    },
    readStat(pid) {
      const c = lib();
      if (c === null) return procTable.readStat(pid);
      const bytes = readAll(c, `/proc/${pid}/stat`);
      return bytes === null ? null : latin1.decode(bytes);
    },
    readAuxv() {
      const c = lib();
      return c === null ? procTable.readAuxv() : readAll(c, "/proc/self/auxv");
    },
  };
}
