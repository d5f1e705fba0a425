/**
 * Whether the control socket's directory and an existing socket file are safe
 * from other local users: pure checks over stat data (unit-tested with fake
 * stats), plus naming a uid for the messages.
 */
import { readFileSync } from "node:fs";
import { FatalError } from "../errors.ts";

/** The parts of a `stat` result the checks read. */
export interface OwnerAndMode {
  uid: number;
  mode: number;
}

/** The uid this process runs as, or null where the platform has none (then the checks pass). */
export function currentUid(): number | null {
  // The global `process` (Bun, Node, Deno): node:process would cost every ctl call its load.
  if (typeof process.getuid !== "function") return null;
  try {
    return process.getuid();
  } catch (error) {
    // Deno without --allow-sys: no check may pass for want of the uid.
    throw new FatalError(`cannot learn this process's uid, which the checks of who owns the control socket need (${(error as Error).message})`, 2);
  }
}

/** The name /etc/passwd (or `passwd`) gives `uid`, or null. */
export function userName(uid: number, passwd: string | null = readPasswd()): string | null {
  const line = passwd?.split("\n").find((entry) => entry.split(":")[2] === String(uid));
  return line?.split(":")[0] || null;
}

/** `uid 1001 (gcsecond)`, or `uid 1001` when /etc/passwd does not name it. */
export function describeOwner(uid: number, passwd: string | null = readPasswd()): string {
  const name = userName(uid, passwd);
  return name ? `uid ${uid} (${name})` : `uid ${uid}`;
}

/** The text of /etc/passwd, or null where there is none. */
export function readPasswd(): string | null {
  try {
    return readFileSync("/etc/passwd", "utf8");
  } catch {
    return null;
  }
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/**
 * Why the socket directory is unsafe, or null when it is safe: owned by a user
 * other than us or root, or writable by group or others without the sticky
 * bit (anyone there could rename or replace our entries).
 */
export function unsafeDirectoryReason(dir: string, stats: OwnerAndMode, ourUid: number | null, passwd?: string | null): string | null {
  if (ourUid === null) return null;
  const owner = describeOwner(stats.uid, passwd);
  if (stats.uid !== ourUid && stats.uid !== 0) {
    return `control socket directory ${dir} is owned by another user (${owner}, mode ${octal(stats.mode)}); refusing to create the socket there`;
  }
  const sticky = (stats.mode & 0o1000) !== 0;
  if ((stats.mode & 0o022) !== 0 && !sticky) {
    return `control socket directory ${dir} (owner ${owner}, mode ${octal(stats.mode)}) can be written by other users and has no sticky bit; refusing to create the socket there`;
  }
  return null;
}

/** Why an existing socket at `path` is not ours to replace (owned by another user), or null. */
export function foreignSocketReason(path: string, stats: OwnerAndMode, ourUid: number | null, passwd?: string | null): string | null {
  if (ourUid === null || stats.uid === ourUid) return null;
  return `control socket path ${path} is taken by a socket of another user (${describeOwner(stats.uid, passwd)}); refusing to use or replace it: remove it or choose another companion_control_socket`;
}
