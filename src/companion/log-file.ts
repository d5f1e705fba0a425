/**
 * A companion's log file, written by the manager (docs/logging.md): opened
 * for append, created 0640 and never through a symlink (docs/security.md);
 * rotated to `file.1` … `file.N` before a write would take it past its
 * maximum, so a rotation always falls between two lines; reopened on USR1
 * after logrotate moved it.
 */
import { closeSync, fstatSync, ftruncateSync, renameSync, writeSync } from "node:fs";
import { openAppendNoFollow } from "../runtime/private-files.ts";

/** Rotation of one file: 0 bytes never rotates; 0 backups truncates instead. */
export interface Rotation {
  maxBytes: number;
  backups: number;
}

/** An open log file. */
export interface LogFile {
  readonly path: string;
  /** Appends whole lines (rotating first when they would not fit). */
  write(lines: Uint8Array): void;
  /** Closes and opens the path again (after logrotate renamed the file). */
  reopen(): void;
  close(): void;
}

function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
}

/**
 * Opens `path` (`what` names it in errors: "stdout file"); a symlink there
 * throws a SymlinkRefusedError. Write errors (a full disk) go to `onError`
 * and the lines are lost; the companion is never held up by its file.
 */
export function openLogFile(path: string, what: string, rotation: Rotation, onError: (message: string) => void): LogFile {
  let fd = openAppendNoFollow(path, what);
  let size = fstatSync(fd).size;
  let closed = false;
  let failing = false;

  const reopenNow = () => {
    const next = openAppendNoFollow(path, what);
    closeSync(fd);
    fd = next;
    size = fstatSync(fd).size;
  };

  function rotate(): void {
    if (rotation.backups > 0) {
      for (let i = rotation.backups - 1; i >= 1; i--) renameIfThere(`${path}.${i}`, `${path}.${i + 1}`);
      renameIfThere(path, `${path}.1`);
      reopenNow();
    } else {
      // No backups: start the file over (O_APPEND writes land at the new end).
      ftruncateSync(fd, 0);
      size = 0;
    }
  }

  function writeAll(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    size += bytes.length;
  }

  return {
    path,
    write(lines) {
      if (closed || lines.length === 0) return;
      try {
        let rest = lines;
        while (rotation.maxBytes > 0 && size + rest.length > rotation.maxBytes) {
          // As many whole lines as still fit; a file that holds none yet takes at least one.
          const fit = rest.lastIndexOf(10, rotation.maxBytes - size - 1) + 1;
          const take = fit > 0 ? fit : size === 0 ? rest.indexOf(10) + 1 || rest.length : 0;
          writeAll(rest.subarray(0, take));
          rest = rest.subarray(take);
          if (rest.length === 0) break;
          rotate();
        }
        writeAll(rest);
        failing = false;
      } catch (error) {
        // Said once per run of failures, not once per chunk.
        if (!failing) onError(`cannot write ${what} ${path}: ${(error as Error).message}`);
        failing = true;
      }
    },
    reopen() {
      if (closed) return;
      try {
        reopenNow();
      } catch (error) {
        onError(`cannot reopen ${what} ${path}, still writing to the file it had open: ${(error as Error).message}`);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
