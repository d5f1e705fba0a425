/**
 * The private directory a master and its manager share: what the manager
 * runs with (`manager.json`, written by the master before each start and by
 * the manager after each reread), the pid files of live companions, and the
 * reports of companions whose target failed to load.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConfigSources } from "../config/load.ts";
import type { CompanionConfig } from "../config/resolve.ts";
import type { LogFormat, LogLevel } from "../log.ts";

/** Everything a manager process starts from. */
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
}

/** The files inside a state directory. */
export function statePaths(dir: string): { state: string; pids: string; reports: string } {
  return { state: join(dir, "manager.json"), pids: join(dir, "pids"), reports: join(dir, "reports") };
}

/** Creates a fresh private state directory under the system temp dir. */
export function createStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gunicorn-companion-"));
  mkdirSync(statePaths(dir).pids, { mode: 0o700 });
  mkdirSync(statePaths(dir).reports, { mode: 0o700 });
  return dir;
}

/** Writes `manager.json` atomically (a reader never sees half a file). */
export function writeManagerState(dir: string, state: ManagerState): void {
  const { state: path } = statePaths(dir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  renameSync(temporary, path);
}

/** Reads `manager.json`. */
export function readManagerState(dir: string): ManagerState {
  return JSON.parse(readFileSync(statePaths(dir).state, "utf8")) as ManagerState;
}

/** Removes the state directory and everything in it. */
export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
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
