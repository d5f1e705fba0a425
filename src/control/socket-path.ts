/**
 * Claiming and releasing the control socket's path: never steal a socket a
 * live manager answers on, replace a stale one, and never unlink or follow
 * anything that is not a socket.
 */
import { accessSync, chmodSync, constants, linkSync, lstatSync, mkdtempSync, readdirSync, rmdirSync, statSync, unlinkSync, type Stats } from "node:fs";
import { platform } from "node:os";
import { basename, dirname, join } from "node:path";
import { FatalError } from "../errors.ts";
import type { UnixListener, Connection, UnixSockets, ProcessInfo } from "../runtime/index.ts";
import { currentUid, foreignSocketReason, unsafeDirectoryReason } from "./socket-dir.ts";

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

/**
 * Checks the control socket's path as `checkSocketPath` does, and also that
 * its directory is safe from other users (see `unsafeDirectoryReason`) and
 * that no socket of another user sits at the path.
 */
export function checkControlSocketPath(path: string): void {
  checkSocketPath(path);
  const dir = dirname(path);
  const uid = currentUid();
  const unsafe = unsafeDirectoryReason(dir, statSync(dir), uid);
  if (unsafe !== null) throw new FatalError(`${unsafe} (for ${path})`);
  const existing = lstatOrNull(path);
  const foreign = existing !== null && existing.isSocket() ? foreignSocketReason(path, existing, uid) : null;
  if (foreign !== null) throw new FatalError(foreign);
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

function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // already gone
  }
}

/** `.NAME.` for the private directory: the whole name up to 20 characters, else its start and a hash (distinct names never share a prefix). */
function privatePrefix(name: string): string {
  if (name.length <= 20) return `.${name}.`;
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `.${name.slice(0, 13)}~${hash.toString(36).padStart(7, "0").slice(0, 6)}.`;
}

/** Removes empty private directories a killed manager left (rmdir: never a symlink, never a non-empty one, only ours). */
function removeLeftoverDirectories(dir: string, prefix: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const uid = currentUid();
  for (const name of names) {
    if (!name.startsWith(prefix) || name.length !== prefix.length + 6) continue;
    const stats = lstatOrNull(join(dir, name));
    if (stats !== null && stats.isDirectory() && (uid === null || stats.uid === uid)) removeQuietly(() => rmdirSync(join(dir, name)));
  }
}

/**
 * Binds the socket with its mode already set before anyone else can reach
 * it: bind inside a private directory (mkdtemp, 0700 from creation) in the
 * socket's directory, chmod it there (a path nobody else can swap), then
 * hard-link it to the final path (link fails if the path was taken
 * meanwhile: nothing is stolen). The private directory goes on release.
 */
export async function bindSocket(
  runtime: UnixSockets & Pick<ProcessInfo, "pid">,
  path: string,
  mode: number,
  onConnection: (conn: Connection) => void,
  maxBufferedBytes: number,
  onAcceptFailed?: () => void,
): Promise<BoundSocket> {
  checkControlSocketPath(path);
  await clearStaleSocket(runtime, path);
  const dir = dirname(path);
  const prefix = privatePrefix(basename(path));
  removeLeftoverDirectories(dir, prefix);
  let privateDir: string;
  try {
    privateDir = mkdtempSync(join(dir, prefix));
  } catch (error) {
    throw new FatalError(`cannot create control socket in ${dir}: ${(error as Error).message}`, 1, { cause: error });
  }
  const inner = join(privateDir, "s");
  let listener: UnixListener;
  try {
    listener = await runtime.listenUnix(inner, onConnection, { maxBufferedBytes, onAcceptFailed });
  } catch (error) {
    removeQuietly(() => unlinkSync(inner));
    removeQuietly(() => rmdirSync(privateDir));
    throw new FatalError(`cannot create control socket in ${dir}: ${(error as Error).message}`, 1, { cause: error });
  }
  try {
    chmodSync(inner, mode);
    linkSync(inner, path);
  } catch (error) {
    listener.close();
    removeQuietly(() => unlinkSync(inner));
    removeQuietly(() => rmdirSync(privateDir));
    const taken = (error as { code?: string }).code === "EEXIST";
    throw new FatalError(
      taken ? `control socket ${path} was created by another process meanwhile; refusing to replace it` : `cannot create control socket ${path}: ${(error as Error).message}`,
    );
  }
  const { ino, dev } = lstatSync(inner);
  unlinkSync(inner);
  // The empty private directory stays until release: Node unlinks the bound
  // path on close, which must land in our directory, never in a same-named
  // entry (a symlink) another user could create once ours is gone.
  return {
    release() {
      listener.close();
      removeQuietly(() => rmdirSync(privateDir));
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
