/**
 * A file per live companion process group, in the manager's state directory,
 * so that whoever comes after a manager that died (the next manager, or the
 * master on its way out) can stop what it left behind.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SignalName } from "../runtime/types.ts";

/** One companion process group as recorded on disk. */
export interface PidEntry {
  name: string;
  /** The companion's pid, which is also its process group id. */
  pid: number;
  stop_signal: SignalName;
  stop_timeout: number;
  /** The kernel's start time of the pid (Linux /proc), to tell a reused pid apart; null elsewhere. */
  start_time: string | null;
}

/** Where the entries live, and how they are written. Injected so the manager can be tested without files. */
export interface PidRegistry {
  add(entry: PidEntry): void;
  remove(pid: number): void;
  list(): PidEntry[];
}

/** A registry of JSON files in `dir` (created on first use). */
export function createFilePidRegistry(dir: string): PidRegistry {
  let created = false;
  const ensure = () => {
    if (!created) mkdirSync(dir, { recursive: true, mode: 0o700 });
    created = true;
  };
  return {
    add(entry) {
      ensure();
      // Whole or not at all: a record cut short by a crash would carry no start time, and is not trusted.
      const path = join(dir, `${entry.pid}.json`);
      writeFileSync(`${path}.tmp`, JSON.stringify(entry), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
    },
    remove(pid) {
      rmSync(join(dir, `${pid}.json`), { force: true });
    },
    list() {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        return [];
      }
      const entries: PidEntry[] = [];
      for (const name of names) {
        if (!name.endsWith(".json")) continue;
        try {
          entries.push(JSON.parse(readFileSync(join(dir, name), "utf8")) as PidEntry);
        } catch {
          // A file cut short by a crash mid-write: its pid is in the name.
          const pid = Number.parseInt(name, 10);
          if (Number.isInteger(pid) && pid > 1) {
            entries.push({ name: "(unknown)", pid, stop_signal: "SIGTERM", stop_timeout: 10, start_time: null });
          }
        }
      }
      return entries;
    },
  };
}

/** A registry in memory, for tests of the manager. */
export function createMemoryPidRegistry(): PidRegistry {
  const entries = new Map<number, PidEntry>();
  return {
    add: (entry) => void entries.set(entry.pid, entry),
    remove: (pid) => void entries.delete(pid),
    list: () => [...entries.values()],
  };
}
