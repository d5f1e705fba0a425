/**
 * The master's state directory, before anything starts: found in the private
 * directory of its config (companion/state-root.ts), where it first stops
 * whatever an earlier master with this config left running (companions of a
 * manager and a master that were both killed), then takes a directory of its
 * own (docs/security.md, "State directory").
 */
import process from "node:process";
import { stopOrphans } from "../companion/orphans.ts";
import { createFilePidRegistry } from "../companion/pid-registry.ts";
import { readProcessStartTime } from "../companion/proc.ts";
import { createStateDir, removeStateDir, statePaths } from "../companion/state-dir.ts";
import { abandonedStateDirs, ensurePrivateDir, stateRootFor } from "../companion/state-root.ts";
import type { ConfigSources } from "../config/load.ts";
import type { Logger } from "../log.ts";
import type { Processes, ProcessInfo } from "../runtime/index.ts";
import { createSystemClock } from "../supervise/clock.ts";

/** Stops what abandoned state directories of this config recorded, removes them, and creates ours. */
export async function prepareStateDir(runtime: ProcessInfo & Processes, sources: ConfigSources, log: Logger): Promise<string> {
  const uid = process.getuid?.() ?? 0;
  const root = stateRootFor(sources.configFile, sources.cwd, uid, runtime.env());
  ensurePrivateDir(root, uid);
  for (const dir of abandonedStateDirs(root)) {
    const left = await stopOrphans(runtime, createFilePidRegistry(statePaths(dir).pids), log, false, createSystemClock(), dir);
    if (left > 0) log.info(`stopped ${left} companion process group(s) an earlier master of this config left running`);
    removeStateDir(dir);
  }
  const owner = { pid: runtime.pid, start_time: readProcessStartTime(runtime.pid) };
  for (let attempt = 1; ; attempt++) {
    // Again: the last master of this config to exit removes the directory when it is empty.
    ensurePrivateDir(root, uid);
    try {
      return createStateDir(root, owner);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT" || attempt >= 3) throw error;
    }
  }
}
