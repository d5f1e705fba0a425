/**
 * One round of the SIGKILL chaos: a master with HTTP workers and companions
 * (a singleton scheduler among them), a SIGKILL to one of its processes at a
 * random moment (start-up, steady, reload, shutdown), then the invariants.
 * Used by test/chaos (CI) and bench/soak (longer).
 */
import { join } from "node:path";
import type { Launcher } from "../helpers/launchers.ts";
import { FAST, fixture, rawRequest, startMaster, type MasterRun } from "../helpers/master.ts";
import { freePort } from "../helpers/ports.ts";
import { isAlive, sleep, waitFor } from "../helpers/processes.ts";
import { ROOT } from "../helpers/launchers.ts";
import { expectNoDuplicates, expectNothingLeft, expectStatusMatchesProcesses, liveCompanionProcesses } from "./invariants.ts";

/** Which process gets the SIGKILL. */
export type KillTarget = "master" | "manager" | "worker" | "companion";
/** When. */
export type KillMoment = "start-up" | "steady" | "reload" | "shutdown";

export const KILL_TARGETS: readonly KillTarget[] = ["master", "manager", "worker", "companion"];
export const KILL_MOMENTS: readonly KillMoment[] = ["start-up", "steady", "reload", "shutdown"];

const COMPANIONS = ["sched", "kids", "plain"];
const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(Math.random() * list.length)];

/** What a round did, for the reliability table. */
export interface RoundResult {
  killed: boolean;
  pid: number | null;
}

function targetPid(run: MasterRun, target: KillTarget): number | null {
  switch (target) {
    case "master":
      return run.pid;
    case "manager":
      return run.managerPid();
    case "worker":
      return pick(run.workerPids()) ?? null;
    case "companion":
      return pick([...liveCompanionProcesses(run.dir).values()].flat()) ?? null;
  }
}

/** Runs one round; throws when an invariant does not hold. */
export async function killRound(launcher: Launcher, target: KillTarget, moment: KillMoment): Promise<RoundResult> {
  const port = await freePort();
  const config = {
    ...FAST,
    workers: 2,
    timeout: 5,
    graceful_timeout: 2,
    bind: [`127.0.0.1:${port}`],
    companion_workers: [fixture("sched", "singleton", { stop_timeout: 0.5 }), fixture("kids", "spawnChild"), fixture("plain")],
  };
  const run = await startMaster(launcher, { config, args: [join(ROOT, "test/fixtures/app.mjs")], waitReady: moment !== "start-up" });
  try {
    if (moment === "start-up") await sleep(Math.random() * 600);
    else {
      await expectStatusMatchesProcesses(run, COMPANIONS);
      await waitFor(() => run.workerPids().length === 2, "2 workers");
      if (moment === "reload") {
        run.signal("SIGHUP");
        await sleep(Math.random() * 400);
      } else if (moment === "shutdown") {
        run.signal("SIGTERM");
        await sleep(Math.random() * 300);
      } else await sleep(Math.random() * 200);
    }
    const pid = targetPid(run, target);
    const killed = pid !== null && isAlive(pid);
    if (pid !== null && killed) process.kill(pid, "SIGKILL");

    const masterGone = (target === "master" && killed) || moment === "shutdown" || !isAlive(run.pid);
    if (masterGone) {
      // Everything the master ran goes with it, and the socket does not block the next master.
      await run.exited;
      await expectNothingLeft(run, [...run.workerPids()], 15_000);
      const next = await startMaster(launcher, { config: { ...config, bind: [`127.0.0.1:${await freePort()}`], companion_control_socket: run.socket }, args: [join(ROOT, "test/fixtures/app.mjs")] });
      try {
        await expectStatusMatchesProcesses(next, COMPANIONS);
        next.signal("SIGTERM");
        await next.exited;
        await expectNothingLeft(next);
      } catch (error) {
        throw new Error(`the next master: ${error instanceof Error ? error.message : String(error)}\n--- its log ---\n${next.output()}`);
      } finally {
        next.cleanup();
      }
    } else {
      // The master survives: it repairs what was killed, and status tells the truth.
      await expectStatusMatchesProcesses(run, COMPANIONS, 30_000);
      await waitFor(async () => run.workerPids().length === 2 && (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok).catch(() => false)), "2 workers serving", 30_000);
      const status = await rawRequest(run.socket, { cmd: "status" });
      if (status.ok !== true) throw new Error(`status failed: ${JSON.stringify(status)}`);
      run.signal("SIGTERM");
      const code = await run.exited;
      if (code !== 0) throw new Error(`the master exited with ${code}\n${run.output()}`);
      await expectNothingLeft(run);
    }
    expectNoDuplicates(run);
    return { killed, pid };
  } catch (error) {
    throw new Error(`${target} killed at ${moment}: ${error instanceof Error ? error.message : String(error)}\n--- master log ---\n${run.output()}`);
  } finally {
    run.cleanup();
  }
}
