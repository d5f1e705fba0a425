/**
 * Files through libc (open/read, opendir/readdir) with Deno.dlopen. Deno
 * refuses every path under /proc without --allow-all, whatever --allow-read
 * says; the --allow-ffi the master and its children run with (see
 * ./prctl.ts) reaches them this way. Used by ../proc-read.ts only.
 */

const encoder = new TextEncoder();
const cPath = (path: string) => encoder.encode(`${path}\0`);

/** `d_name` in glibc's 64-bit `struct dirent`: after d_ino, d_off (8 bytes each), d_reclen (2) and d_type (1). */
const DIRENT_NAME_OFFSET = 19;

type Libc = Record<string, (...args: unknown[]) => unknown>;

/** Reading files and listing directories; null from either when the path cannot be opened. */
export interface LibcFiles {
  read(path: string): Uint8Array | null;
  list(dir: string): string[] | null;
  /** Where a symbolic link points (/proc/self/fd/N), or null. */
  link(path: string): string | null;
}

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
      readlink: { parameters: ["buffer", "buffer", "usize"], result: "isize" },
    }).symbols as unknown as Libc;
  } catch {
    return null;
  }
}

/** The whole of a small file through libc; null when it cannot be opened or read. */
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

function listAll(libc: Libc, dir: string): string[] | null {
  const handle = libc.opendir?.(cPath(dir)) as Deno.PointerValue;
  if (handle === null) return null;
  const names: string[] = [];
  try {
    for (let entry = libc.readdir?.(handle) as Deno.PointerValue; entry !== null; entry = libc.readdir?.(handle) as Deno.PointerValue) {
      names.push(Deno.UnsafePointerView.getCString(entry, DIRENT_NAME_OFFSET));
    }
  } finally {
    libc.closedir?.(handle);
  }
  return names;
}

/** libc's file calls for this Deno process; null without --allow-ffi or without a glibc to open. */
export function openLibcFiles(): LibcFiles | null {
  const libc = openLibc();
  if (libc === null) return null;
  const linkBuffer = new Uint8Array(4096);
  const link = (path: string) => {
    const count = Number(libc.readlink?.(cPath(path), linkBuffer, BigInt(linkBuffer.length)));
    return count < 0 ? null : new TextDecoder().decode(linkBuffer.subarray(0, count));
  };
  return { read: (path) => readAll(libc, path), list: (dir) => listAll(libc, dir), link };
}
