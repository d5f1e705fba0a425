/**
 * A double crash (docs/reliability.md): the manager is SIGKILLed, then the
 * master during its restart delay, so the companion runs on with parent 1
 * and nothing supervising it. The next master started with the same config
 * finds it in the config's state directory and stops it before it starts
 * anything (docs/security.md, "State directory"): by its pid record, or,
 * with the record gone (a manager killed between spawn and record), by the
 * state directory marker in its environment.
 */
import { expect } from "bun:test";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, rawRequest, waitFor, withMaster } from "../../helpers/master.ts";
import { killTree } from "../../helpers/processes.ts";
import { e2e } from "../e2e-test.ts";

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
};

/** The state directory a companion's environment names (src/companion/marked.ts). */
const markerOf = (pid: number) => {
  const entry = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").find((e) => e.startsWith("GUNICORN_COMPANION_STATE_DIR="));
  if (entry === undefined) throw new Error(`process ${pid} has no state directory marker`);
  return entry.slice(entry.indexOf("=") + 1);
};

function doubleCrash(launcher: Launcher, dropRecord: boolean): () => Promise<void> {
  return async () => {
    // A singleton notes any overlap with an earlier instance of itself in $FIXTURE_DIR/duplicates.
    const config = { ...FAST, companion_workers: [fixture("one", "singleton", { stop_timeout: 0.5 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { one } = await run.waitStates({ one: "RUNNING" });
      const old = await run.waitReady("one", one?.pid);
      const manager = run.managerPid();
      expect(manager).not.toBeNull();
      process.kill(manager ?? -1, "SIGKILL");
      await waitFor(() => !isAlive(manager ?? -1), "the manager to die");
      // Within the master's restart delay (1 s): before any new manager could stop the companion.
      run.signal("SIGKILL");
      await run.exited;
      await waitFor(() => isAlive(old) && parentOf(old) !== run.pid, "the companion to be orphaned");
      expect(isAlive(old)).toBe(true);
      if (dropRecord) {
        const record = join(markerOf(old), "pids", `${old}.json`);
        expect(existsSync(record)).toBe(true);
        rmSync(record);
      }

      const logFile = join(run.dir, "master2.log");
      const logFd = openSync(logFile, "a");
      const env = { ...process.env, TMPDIR: run.dir, FIXTURE_DIR: run.dir } as Record<string, string>;
      const next = Bun.spawn([...launcher.command, "master", "-c", run.configFile], { cwd: run.dir, env, stdin: "ignore", stdout: logFd, stderr: logFd, detached: true });
      closeSync(logFd);
      try {
        const output = () => readFileSync(logFile, "utf8");
        await waitFor(async () => {
          const reply = await rawRequest(run.socket, { cmd: "status" }).catch(() => null);
          const companions = (reply?.companions ?? []) as Array<{ name: string; state: string; pid: number | null }>;
          return companions.some((c) => c.state === "RUNNING" && c.pid !== old);
        }, () => `the new master's companion to run\n${output()}`, 20_000);
        expect(isAlive(old)).toBe(false);
        expect(output()).toContain("an earlier master of this config left running");
        if (dropRecord) expect(output()).toContain(`unrecorded process(es) of companions (pids ${old})`);
        // The old instance was gone before the new one started.
        expect(existsSync(join(run.dir, "duplicates")) ? readFileSync(join(run.dir, "duplicates"), "utf8") : "").toBe("");
      } finally {
        killTree([next.pid]);
        await next.exited;
      }
    });
  };
}

export function crashTests(launcher: Launcher): void {
  e2e("after SIGKILL of the manager and then of the master, the next master with the same config stops the old companion before starting", doubleCrash(launcher, false));
  e2e("after SIGKILL of the manager and then of the master, with no pid record of the companion left, the next master finds it by its state directory marker", doubleCrash(launcher, true));
}
