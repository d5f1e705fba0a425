/**
 * The one way this program reads Linux's /proc, on every runtime. Bun and
 * Node read it with node:fs. Deno refuses every path under /proc to a
 * process without --allow-all, whatever --allow-read says, so there the
 * files are read through libc with the --allow-ffi the master and its
 * children run with (./deno/libc-files.ts, opened once, on first use);
 * a Deno process without it reads nothing here, as on a host without /proc.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { openLibcFiles, type LibcFiles } from "./deno/libc-files.ts";

const nodeFiles: LibcFiles = {
  read(path) {
    try {
      return readFileSync(path);
    } catch {
      return null;
    }
  },
  list(dir) {
    try {
      return readdirSync(dir);
    } catch {
      return null;
    }
  },
  link(path) {
    try {
      return readlinkSync(path);
    } catch {
      return null;
    }
  },
};

let files: LibcFiles | undefined;

function procFiles(): LibcFiles {
  files ??= ((globalThis as { Deno?: unknown }).Deno !== undefined ? openLibcFiles() : null) ?? nodeFiles;
  return files;
}

/** The bytes of a file under /proc; null when it cannot be read (no such process, no /proc). */
export function readProcBytes(path: string): Uint8Array | null {
  return procFiles().read(path);
}

const utf8 = new TextDecoder();

/** The text of a file under /proc (UTF-8; the ASCII fields of /proc/PID/stat come out intact whatever a command name holds). */
export function readProcFile(path: string): string | null {
  const bytes = readProcBytes(path);
  return bytes === null ? null : utf8.decode(bytes);
}

/** The pids in /proc, in its order; null when /proc cannot be listed. */
export function listProcPids(): number[] | null {
  const names = procFiles().list("/proc");
  if (names === null) return null;
  const pids: number[] = [];
  for (const name of names) {
    const first = name.charCodeAt(0);
    if (first >= 48 && first <= 57) pids.push(Number(name));
  }
  return pids;
}

/** The names in a directory under /proc (such as /proc/self/fd); null when it cannot be listed. */
export function listProcDir(dir: string): string[] | null {
  return procFiles().list(dir);
}

/** Where a link under /proc points (/proc/self/fd/N → `socket:[inode]`); null when there is none. */
export function readProcLink(path: string): string | null {
  return procFiles().link(path);
}
