/**
 * The private directory a master and its manager share. Each file has one
 * writer: `manager.json`, what the master starts a manager with (written by
 * the master only, before each start); `running.json`, the companion config
 * in force after rereads (written by the manager only); the pid files of live
 * companions; and the reports of companions whose target failed to load.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConfigSources } from "../config/load.ts";
import type { CompanionConfig } from "../config/resolve.ts";
import type { LogFormat, LogLevel } from "../log.ts";
import { MASTER_PREFIX, NEW_PREFIX, OWNER_FILE, type StateOwner } from "./state-root.ts";

/** Everything a manager process starts from (the master's `manager.json`). */
export interface ManagerState {
  masterPid: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  sources: ConfigSources;
  /** The main file's companion_* settings as written, for a reread of companion_config_file. */
  mainCompanionSettings: Record<string, unknown>;
  companion: CompanionConfig;
  /** `hashCompanionConfig(companion)`: the master compares it on HUP. */
  hash: string;
  /** Which of the master's writes this is: a `running.json` of an earlier launch does not apply. */
  launchId: number;
}

/** The files inside a state directory. */
export function statePaths(dir: string): { state: string; running: string; pids: string; reports: string } {
  return { state: join(dir, "manager.json"), running: join(dir, "running.json"), pids: join(dir, "pids"), reports: join(dir, "reports") };
}

/** The companion config in force after rereads (the manager's `running.json`). */
export interface RunningConfig {
  /** The `launchId` of the `manager.json` it grew from: a newer start from the master supersedes it. */
  launchId: number;
  companion: CompanionConfig;
  hash: string;
}

/**
 * Creates a master's own state directory inside `root` (state-root.ts: the
 * private directory of its config), with the master's pid and start time.
 */
export function createStateDir(root: string, owner: StateOwner): string {
  // Made complete under a name other masters pass over (NEW_PREFIX), then renamed: no one ever sees it unclaimed.
  const building = mkdtempSync(join(root, NEW_PREFIX));
  mkdirSync(statePaths(building).pids, { mode: 0o700 });
  mkdirSync(statePaths(building).reports, { mode: 0o700 });
  writeAtomically(join(building, OWNER_FILE), owner);
  const dir = join(root, `${MASTER_PREFIX}${building.slice(building.lastIndexOf(NEW_PREFIX) + NEW_PREFIX.length)}`);
  renameSync(building, dir);
  return dir;
}

function writeAtomically(path: string, value: unknown): void {
  // A reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value), { mode: 0o600 });
  renameSync(temporary, path);
}

/** The master's side: what the next manager starts from. Starting anew drops the rereads of the last launch. */
export function writeManagerState(dir: string, state: ManagerState): void {
  writeAtomically(statePaths(dir).state, state);
}

/** The manager's side: the companion config in force after a reread. */
export function writeRunningConfig(dir: string, running: RunningConfig): void {
  writeAtomically(statePaths(dir).running, running);
}

/**
 * What a manager runs with: the master's `manager.json`, with the companion
 * config of `running.json` when that grew from the same launch (a manager
 * restarted after a crash keeps the rereads of the one before).
 */
export function readManagerState(dir: string): ManagerState {
  const state = JSON.parse(readFileSync(statePaths(dir).state, "utf8")) as ManagerState;
  let running: RunningConfig;
  try {
    running = JSON.parse(readFileSync(statePaths(dir).running, "utf8")) as RunningConfig;
  } catch {
    return state;
  }
  return running.launchId === state.launchId ? { ...state, companion: running.companion, hash: running.hash } : state;
}

/** Removes the state directory and everything in it. */
export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Removes a master's own state directory on exit, and the config's directory around it once nothing else is in it. */
export function releaseStateDir(dir: string): void {
  removeStateDir(dir);
  try {
    rmdirSync(dirname(dir));
  } catch {
    // another master of this config still has its directory there
  }
}

/** Where companions report a target that failed to load, one file per companion. */
export function createReportFiles(dir: string): { path(name: string): string; take(path: string): string | null } {
  return {
    path: (name) => join(statePaths(dir).reports, name),
    take(path) {
      try {
        const text = readFileSync(path, "utf8").trim();
        rmSync(path, { force: true });
        return text === "" ? null : text;
      } catch {
        return null;
      }
    },
  };
}
