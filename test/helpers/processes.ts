import { readdirSync, readFileSync } from "node:fs";

/** Milliseconds of sleep, for pacing a poll; tests never wait on a fixed sleep for an outcome. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True if `pid` exists and is not a zombie (this machine's PID 1 does not always reap orphans). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Polls `check` every 20 ms until it returns something truthy, or fails with `describe()` after the deadline. */
export async function waitFor<T>(check: () => T | Promise<T>, describe: string | (() => string), timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof describe === "string" ? describe : describe()}`);
    await sleep(20);
  }
}

/** SIGKILL to each pid and to the process group it may lead; errors (already gone) ignored. */
export function killTree(pids: readonly number[]): void {
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/**
 * SIGKILLs every process whose environment names `dir` as its TMPDIR or
 * FIXTURE_DIR: a master, its manager, workers, companions and their children
 * all inherit them, so nothing a test started survives it, whatever went wrong.
 */
/** Live processes started for `dir`: those whose environment names it (TMPDIR or FIXTURE_DIR), zombies aside. */
export function processesUnder(dir: string): number[] {
  const marks = [`TMPDIR=${dir}`, `FIXTURE_DIR=${dir}`];
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      // A zombie's environment reads as empty: it is not counted.
      const environ = readFileSync(`/proc/${name}/environ`, "utf8").split("\0");
      if (environ.some((entry) => marks.includes(entry))) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** SIGKILLs every process started for `dir` (see processesUnder). */
export function killEverythingUnder(dir: string): void {
  for (const pid of processesUnder(dir)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}
