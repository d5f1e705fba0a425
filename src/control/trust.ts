/**
 * Whom the ctl trusts (docs/security.md, "The ctl"): the socket it talks to,
 * and a config module it would run, must belong to the invoking user, root,
 * or the user named with `--trust-owner`; for the socket, also the owner of
 * the config file given with `-c`. Their directory must be safe from everyone
 * else too, so that the entry checked is the entry used. Pure checks over
 * stat data, plus the lstat/stat that feed them.
 */
import { lstatSync, realpathSync, statSync, type Stats } from "node:fs";
import { ControlError, UsageError } from "../errors.ts";
import { currentUid, describeOwner, readPasswd, userName, type OwnerAndMode } from "./socket-dir.ts";

/** The option that widens the trust, as the messages name it. */
export const TRUST_OWNER_OPTION = "--trust-owner";

/** The trusted users: uid -> why ("you", "root", "the owner of FILE", TRUST_OWNER_OPTION). */
export type TrustedOwners = ReadonlyMap<number, string>;

/** The uid of `user`: a number, or a name looked up in passwd. A `UsageError` when unknown. */
export function parseOwner(user: string, passwd: string | null = readPasswd()): number {
  if (/^\d+$/.test(user)) return Number(user);
  const line = passwd?.split("\n").find((entry) => entry.split(":")[0] === user);
  const uid = Number(line?.split(":")[2]);
  if (line === undefined || !Number.isInteger(uid)) throw new UsageError(`${TRUST_OWNER_OPTION} ${user}: no such user`);
  return uid;
}

/** Root and the invoking user, plus `--trust-owner`'s user when given. */
export function trustedOwners(ourUid: number | null, trustOwner: string | undefined, passwd?: string | null): Map<number, string> {
  const uids = new Map<number, string>([[0, "root"]]);
  if (ourUid !== null) uids.set(ourUid, "you");
  if (trustOwner !== undefined && trustOwner !== "") uids.set(parseOwner(trustOwner, passwd), TRUST_OWNER_OPTION);
  return uids;
}

/** The directory of an absolute or relative path (node:path would cost every ctl call its load). */
export function dirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : trimmed.slice(0, slash);
}

const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, "0");

/** How to trust `uid`: `--trust-owner NAME` (or the uid when passwd has no name). */
const override = (uid: number, passwd?: string | null) => `${TRUST_OWNER_OPTION} ${userName(uid, passwd) ?? uid}`;

/** `you (uid 0 (root)), root or the owner of FILE (uid …)`. */
function trustedList(trusted: TrustedOwners, passwd?: string | null): string {
  const names = [...trusted].map(([uid, why]) => (why === "root" ? "root" : why === TRUST_OWNER_OPTION ? describeOwner(uid, passwd) : `${why} (${describeOwner(uid, passwd)})`));
  return names.length === 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** Why a directory lets someone untrusted replace its entries, or null. */
function unsafeParentReason(dir: string, stats: OwnerAndMode, trusted: TrustedOwners, passwd?: string | null): string | null {
  if (!trusted.has(stats.uid)) return `its directory ${dir} belongs to ${describeOwner(stats.uid, passwd)}`;
  if ((stats.mode & 0o022) !== 0 && (stats.mode & 0o1000) === 0) return `its directory ${dir} (mode ${octal(stats.mode)}) can be written by other users and has no sticky bit`;
  return null;
}

/** The kind of a path that is not a socket, for a message. */
function kindOf(stats: Stats): string {
  return stats.isSymbolicLink() ? "a symbolic link" : stats.isDirectory() ? "a directory" : "not a socket";
}

/** Why the ctl must not talk to the socket at `path`, or null (pure: the lstat of the path, the stat of its directory). */
export function untrustedSocketReason(path: string, socket: Stats, dir: OwnerAndMode, trusted: TrustedOwners, passwd?: string | null): string | null {
  if (!socket.isSocket()) return `refusing to use the control socket ${path}: it is ${kindOf(socket)}`;
  const refuse = (why: string, uid: number) => `refusing to talk to the control socket ${path}: ${why}; pass ${override(uid, passwd)} if you trust that user`;
  if (!trusted.has(socket.uid)) return refuse(`it belongs to ${describeOwner(socket.uid, passwd)}, not to ${trustedList(trusted, passwd)}`, socket.uid);
  const parent = unsafeParentReason(dirname(path), dir, trusted, passwd);
  return parent === null ? null : refuse(`${parent}, who could have put it there`, dir.uid);
}

/** Checks the socket at `path` before the ctl connects; a `ControlError` says why not. A missing path is left to the connect's own error. */
export function checkSocketTrusted(path: string, trusted: TrustedOwners): void {
  if (currentUid() === null) return;
  let socket: Stats;
  try {
    socket = lstatSync(path);
  } catch {
    return;
  }
  const reason = untrustedSocketReason(path, socket, statSync(dirname(path)), trusted);
  if (reason !== null) throw new ControlError("unreachable", reason);
}

/**
 * Why the ctl must not import (run) the config module `file`, or null: its
 * owner is not trusted, other users can write it, or its directory lets
 * someone untrusted replace it.
 */
export function untrustedModuleReason(file: string, stats: OwnerAndMode, dir: OwnerAndMode, trusted: TrustedOwners, passwd?: string | null): string | null {
  const refuse = (why: string, uid: number) =>
    `refusing to run the config module ${file} to find the control socket: ${why}; pass -s SOCKET, or ${override(uid, passwd)} if you trust that user (its code would run as you)`;
  if (!trusted.has(stats.uid)) return refuse(`it belongs to ${describeOwner(stats.uid, passwd)}`, stats.uid);
  if ((stats.mode & 0o022) !== 0) return refuse(`other users can write it (mode ${octal(stats.mode)})`, stats.uid);
  const parent = unsafeParentReason(dirname(file), dir, trusted, passwd);
  return parent === null ? null : refuse(parent, dir.uid);
}

/** Checks a config module before the ctl imports it (through symlinks: the file that would run); a `UsageError` says why not. */
export function checkModuleTrusted(file: string, trusted: TrustedOwners): void {
  if (currentUid() === null) return;
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return; // missing: the config loader's own error says so
  }
  const reason = untrustedModuleReason(real, statSync(real), statSync(dirname(real)), trusted);
  if (reason !== null) throw new UsageError(reason);
}
