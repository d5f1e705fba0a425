/**
 * What must hold after any fault: every companion runs exactly once, what
 * `status` says matches the processes that exist, nothing outlives its
 * supervisor, and no stale socket blocks the next start.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CompanionStatus } from "../../src/control/protocol.ts";
import type { MasterRun } from "../helpers/master.ts";
import { isAlive, processesUnder, waitFor } from "../helpers/processes.ts";

/** Live processes whose environment says they run companion `name` under this run's fixture dir. */
export function liveCompanionProcesses(dir: string): Map<string, number[]> {
  const byName = new Map<string, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue;
    }
    const vars = environ.split("\0");
    if (!vars.includes(`FIXTURE_DIR=${dir}`)) continue;
    const name = vars.find((v) => v.startsWith("GUNICORN_COMPANION_NAME="))?.slice("GUNICORN_COMPANION_NAME=".length);
    if (name === undefined || !isAlive(pid)) continue;
    // The companion process itself (its children inherit the environment too): it leads its process group.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const pgrp = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2];
    if (pgrp !== String(pid)) continue;
    byName.set(name, [...(byName.get(name) ?? []), pid]);
  }
  return byName;
}

/**
 * Waits until `status` and /proc agree: every RUNNING companion has one live
 * process, the one status names, and no other process runs any companion.
 */
export async function expectStatusMatchesProcesses(run: MasterRun, names: readonly string[], timeoutMs = 20_000): Promise<CompanionStatus[]> {
  let last = "";
  return waitFor(
    async () => {
      const status = await run.status().catch(() => null);
      if (status === null) return null;
      const live = liveCompanionProcesses(run.dir);
      const problems: string[] = [];
      for (const name of names) {
        const entry = status.find((c) => c.name === name);
        const pids = live.get(name) ?? [];
        if (entry?.state !== "RUNNING") problems.push(`${name} is ${entry?.state}`);
        else if (pids.length !== 1 || pids[0] !== entry.pid) problems.push(`${name}: status pid ${entry.pid}, live ${JSON.stringify(pids)}`);
      }
      last = problems.join("; ");
      return problems.length === 0 ? status : null;
    },
    () => `status to match the processes: ${last}`,
    timeoutMs,
  );
}

/** No companion ever ran twice at once (the singleton fixture notes it in `duplicates`). */
export function expectNoDuplicates(run: MasterRun): void {
  const file = join(run.dir, "duplicates");
  if (existsSync(file)) throw new Error(`a companion ran twice: ${readFileSync(file, "utf8")}`);
}

/** Every process the run started (companions, their children, workers, manager) is gone. */
export async function expectNothingLeft(run: MasterRun, extra: readonly number[] = [], timeoutMs = 10_000): Promise<void> {
  // Every process of the run (master, manager, workers, companions, what they
  // started) carries the run's directory in its environment.
  const left = () => [...new Set([...processesUnder(run.dir), ...run.fixturePids().map((p) => p.pid), ...extra].filter(isAlive))];
  await waitFor(
    () => left().length === 0 && liveCompanionProcesses(run.dir).size === 0,
    () => `everything gone; alive: ${JSON.stringify(left().map((pid) => `${pid} ${commandOf(pid)}`))}`,
    timeoutMs,
  );
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "?";
  }
}
