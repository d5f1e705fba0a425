/**
 * Claiming and releasing the control socket's path: never steal a socket a
 * live manager answers on, replace a stale one, and never unlink or follow
 * anything that is not a socket.
 */
import { accessSync, chmodSync, constants, linkSync, lstatSync, statSync, unlinkSync, type Stats } from "node:fs";
import { platform } from "node:os";
import { basename, dirname, join } from "node:path";
import { FatalError } from "../errors.ts";
import type { UnixListener, Connection, UnixSockets, ProcessInfo } from "../runtime/index.ts";

/** Longest unix socket path the platform takes (sun_path less its NUL): 107 on Linux, 103 on macOS. */
export function maxSocketPathBytes(): number {
  return platform() === "linux" ? 107 : 103;
}

const byteLength = (text: string) => new TextEncoder().encode(text).length;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return null;
    throw new FatalError(`control socket ${path}: ${(error as Error).message}`);
  }
}

/**
 * Checks a socket path before anything starts: its length, and a directory
 * that exists and can be written. A `FatalError` says which and why.
 */
export function checkSocketPath(path: string): void {
  if (byteLength(path) > maxSocketPathBytes()) {
    throw new FatalError(`control socket path is ${byteLength(path)} bytes long, over the limit of ${maxSocketPathBytes()}: ${path}`);
  }
  const dir = dirname(path);
  let stats: Stats;
  try {
    stats = statSync(dir);
  } catch {
    throw new FatalError(`control socket directory ${dir} does not exist (for ${path})`);
  }
  if (!stats.isDirectory()) throw new FatalError(`control socket directory ${dir} is not a directory (for ${path})`);
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    throw new FatalError(`control socket directory ${dir} is not writable (for ${path})`);
  }
}

/** Whether something answers on the socket at `path`. */
export async function isSocketLive(runtime: UnixSockets, path: string): Promise<boolean> {
  try {
    const conn = await runtime.connectUnix(path);
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `path` free for a new socket: absent is fine, a stale socket file (a
 * connect fails) is removed, a live one or anything that is not a socket is
 * refused with a `FatalError`.
 */
export async function clearStaleSocket(runtime: UnixSockets, path: string): Promise<void> {
  checkSocketPath(path);
  const stats = lstatOrNull(path);
  if (stats === null) return;
  if (!stats.isSocket()) {
    const kind = stats.isSymbolicLink() ? "a symbolic link" : stats.isDirectory() ? "a directory" : "not a socket";
    throw new FatalError(`control socket path ${path} exists and is ${kind}; refusing to replace it`);
  }
  if (await isSocketLive(runtime, path)) {
    throw new FatalError(`control socket ${path} is in use by a running manager; stop it first or choose another companion_control_socket`);
  }
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw new FatalError(`cannot remove stale control socket ${path}: ${(error as Error).message}`);
  }
}

/** A socket bound at its final path; `release` closes it and removes the file if it is still ours. */
export interface BoundSocket {
  release(): void;
}

/**
 * Binds the socket with its mode already set before anyone can connect: bind
 * to a private name in the same directory, chmod, then hard-link it to the
 * final path (link fails if the path was taken meanwhile: nothing is stolen).
 */
export async function bindSocket(
  runtime: UnixSockets & Pick<ProcessInfo, "pid">,
  path: string,
  mode: number,
  onConnection: (conn: Connection) => void,
  maxBufferedBytes: number,
): Promise<BoundSocket> {
  await clearStaleSocket(runtime, path);
  const dir = dirname(path);
  const temporary = join(dir, `.${basename(path).slice(0, 20)}.${runtime.pid}.tmp`);
  try {
    unlinkSync(temporary);
  } catch {
    // not there: the usual case
  }
  let listener: UnixListener;
  try {
    listener = await runtime.listenUnix(temporary, onConnection, { maxBufferedBytes });
  } catch (error) {
    throw new FatalError(`cannot create control socket in ${dir}: ${(error as Error).message}`, 1, { cause: error });
  }
  try {
    chmodSync(temporary, mode);
    linkSync(temporary, path);
  } catch (error) {
    listener.close();
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    const taken = (error as { code?: string }).code === "EEXIST";
    throw new FatalError(
      taken ? `control socket ${path} was created by another process meanwhile; refusing to replace it` : `cannot create control socket ${path}: ${(error as Error).message}`,
    );
  }
  unlinkSync(temporary);
  const { ino, dev } = statSync(path);
  return {
    release() {
      listener.close();
      const now = lstatOrNull(path);
      // Remove only the file we created, not one another process put there since.
      if (now !== null && now.isSocket() && now.ino === ino && now.dev === dev) {
        try {
          unlinkSync(path);
        } catch {
          // removed by someone else
        }
      }
    },
  };
}
