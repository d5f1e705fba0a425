/**
 * The one place files we write are opened: never through a symbolic link
 * (a link planted at a log or pid path must not redirect our writes into
 * another file), and created 0640. The kernel applies the process umask to
 * that mode, so a umask can only make it tighter (0640 & ~umask), never looser.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/** The mode files we create get (before the umask). */
export const FILE_MODE = 0o640;

/** open(2) flags of a log file: append, created when missing, never through a symlink. */
export const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** An open that failed because the path is a symbolic link. */
export class SymlinkRefusedError extends Error {
  readonly code = "ELOOP";
  constructor(what: string, path: string, options: { cause?: unknown } = {}) {
    super(`refusing to open ${what} ${path} through a symlink`, options);
    this.name = "SymlinkRefusedError";
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Opens `path` for append (created 0640 when missing); a symlink there is a `SymlinkRefusedError` naming `what`. */
export function openAppendNoFollow(path: string, what: string): number {
  try {
    return openSync(path, APPEND_FLAGS, FILE_MODE);
  } catch (error) {
    // O_NOFOLLOW fails with ELOOP on a symlink (some systems say EMLINK or EFTYPE).
    if (isSymlink(path)) throw new SymlinkRefusedError(what, path, { cause: error });
    throw error;
  }
}

/**
 * Replaces `path` with `content` atomically: a temporary file with an
 * unpredictable name is created exclusively (never through a symlink) in the
 * same directory, then renamed over `path`. A symlink at `path` is replaced
 * itself; its target is never written.
 */
export function writeFileAtomic(path: string, content: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString("hex")}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, FILE_MODE);
  try {
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // never created or already renamed
    }
    throw error;
  }
}

/** The text of a regular file at `path`, read without following a symlink; null when it is missing, a symlink or not a regular file. */
export function readRegularFile(path: string, maxBytes = 4096): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const buffer = new Uint8Array(maxBytes);
    const length = readSync(fd, buffer, 0, maxBytes, 0);
    return new TextDecoder().decode(buffer.subarray(0, length));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Removes a socket file we bound; anything else at the path (or nothing) is left alone. */
export function removeSocketFile(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // already gone
  }
}
