/**
 * Where the state directories of every master started with one config live:
 * a private directory whose name comes from the config's path and the uid,
 * so that the next master with the same config finds what an earlier tree
 * left (pid records of companions that outlived a manager and a master, both
 * killed) and stops it before it starts anything (docs/security.md, "State
 * directory"). Each master still has a directory of its own inside it, with
 * its pid and start time; a sibling whose master is no longer alive is
 * abandoned.
 */
import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import { FatalError } from "../errors.ts";
import { readProcessStartTime } from "./proc.ts";

/** The file of a master's own state directory that says whose it is. */
export const OWNER_FILE = "master.json";
/** A master's own state directory: `m-XXXXXX`. */
export const MASTER_PREFIX = "m-";
/** One being made (renamed to `m-XXXXXX` once its owner file is written). */
export const NEW_PREFIX = ".new-";

/** Who owns a state directory: the master's pid and its start time (/proc), null where unknown. */
export interface StateOwner {
  pid: number;
  start_time: string | null;
}

/** The private directory for `configFile` (or, without one, the working directory) of user `uid`. */
export function stateRootFor(configFile: string | null, cwd: string, uid: number, env: Readonly<Record<string, string | undefined>>): string {
  let key = configFile === null ? `cwd:${cwd}` : configFile;
  try {
    if (configFile !== null) key = realpathSync(configFile);
  } catch {
    // a config that vanished: its path as given
  }
  const runtimeDir = env.XDG_RUNTIME_DIR;
  const base = runtimeDir !== undefined && isAbsolute(runtimeDir) ? runtimeDir : tmpdir();
  return join(base, `gunicorn-companion-${uid}-${createHash("sha256").update(key).digest("hex").slice(0, 16)}`);
}

/**
 * Creates `dir` with mode 0700, or accepts it as it is when it is already a
 * real directory (not a symlink) of user `uid` that no one else can enter.
 * Anything else is refused: someone else could read or plant records there.
 */
export function ensurePrivateDir(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as { code?: string }).code !== "EEXIST") throw new FatalError(`cannot create state directory ${dir}: ${(error as Error).message}`);
  }
  // lstat: a symlink planted at the path is refused, never followed.
  const stat = lstatSync(dir);
  const problem = stat.isSymbolicLink()
    ? "is a symbolic link"
    : !stat.isDirectory()
      ? "is not a directory"
      : stat.uid !== uid
        ? `is owned by uid ${stat.uid}, not ${uid}`
        : (stat.mode & 0o077) !== 0
          ? `has mode 0${(stat.mode & 0o777).toString(8)} (others may enter it)`
          : null;
  if (problem !== null) throw new FatalError(`refusing state directory ${dir}: it ${problem}; remove it (or set XDG_RUNTIME_DIR or TMPDIR elsewhere)`);
}

/** Whether the master that owned a state directory still runs (same pid, same start time). */
function ownerAlive(dir: string, unclaimed: boolean): boolean {
  let owner: StateOwner;
  try {
    owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), "utf8")) as StateOwner;
  } catch {
    // A directory being made has no owner yet; a master's own one without it was tampered with.
    return unclaimed;
  }
  // No start time (no /proc here): no way to tell, so never taken for abandoned.
  if (owner.start_time === null) return true;
  return readProcessStartTime(owner.pid) === owner.start_time;
}

/** The state directories in `root` (besides `own`) whose master is gone. */
export function abandonedStateDirs(root: string, own: string | null = null): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(MASTER_PREFIX) || name.startsWith(NEW_PREFIX))
    .map((name) => join(root, name))
    .filter((dir) => {
      try {
        return dir !== own && lstatSync(dir).isDirectory() && !ownerAlive(dir, dir.slice(root.length + 1).startsWith(NEW_PREFIX));
      } catch {
        // removed meanwhile (another master of this config cleaned it up)
        return false;
      }
    });
}
