/**
 * Chaos: signal storms. 20 HUPs in a second (with and without a companion
 * change among them), TERM during a reload, HUP during shutdown, TTIN/TTOU
 * bursts. The end state is consistent and every companion runs exactly once.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { LAUNCHERS, ROOT } from "../helpers/launchers.ts";
import { FAST, fixture, withMaster } from "../helpers/master.ts";
import { freePort } from "../helpers/ports.ts";
import { sleep, waitFor } from "../helpers/processes.ts";
import { expectNoDuplicates, expectNothingLeft, expectStatusMatchesProcesses } from "./invariants.ts";

const launcher = LAUNCHERS.bun;
const APP = join(ROOT, "test/fixtures/app.mjs");
const COMPANIONS = ["sched", "plain"];
const companions = (extra: Record<string, unknown> = {}) => [fixture("sched", "singleton", { stop_timeout: 0.5 }), fixture("plain", "run", extra)];

async function appConfig() {
  const port = await freePort();
  return { port, config: { ...FAST, workers: 2, graceful_timeout: 2, bind: [`127.0.0.1:${port}`], companion_workers: companions() } };
}

test.concurrent("20 HUPs in one second, companion config unchanged: same companions, two workers, serving", async () => {
  const { port, config } = await appConfig();
  await withMaster(launcher, { config, args: [APP], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
    const before = await expectStatusMatchesProcesses(run, COMPANIONS);
    for (let i = 0; i < 20; i++) {
      run.signal("SIGHUP");
      await sleep(50);
    }
    await run.waitOutput("reloaded");
    // Coalesced: the burst ends in at most a couple of reloads, then quiet.
    await waitFor(async () => run.workerPids().length === 2 && (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok).catch(() => false)), "2 workers serving", 30_000);
    const after = await expectStatusMatchesProcesses(run, COMPANIONS);
    expect(after.map((c) => c.pid)).toEqual(before.map((c) => c.pid));
    expect((run.output().match(/SIGHUP: reloading/g) ?? []).length).toBeGreaterThanOrEqual(1);
    expectNoDuplicates(run);
  });
}, 90_000);

test.concurrent("20 HUPs in one second with a companion change among them: each companion once, the new config", async () => {
  const { port, config } = await appConfig();
  await withMaster(launcher, { config, args: [APP], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
    await expectStatusMatchesProcesses(run, COMPANIONS);
    for (let i = 0; i < 20; i++) {
      if (i === 7) run.writeConfig({ ...config, companion_workers: companions({ env: { FOO: "changed" } }) });
      run.signal("SIGHUP");
      await sleep(50);
    }
    await run.waitOutput("companion config changed: restarting the companion manager");
    await expectStatusMatchesProcesses(run, COMPANIONS, 30_000);
    await waitFor(() => run.workerPids().length === 2, "2 workers", 30_000);
    expect(run.managerPid()).not.toBeNull();
    expectNoDuplicates(run);
    run.signal("SIGTERM");
    expect(await run.exited).toBe(0);
    await expectNothingLeft(run);
  });
}, 90_000);

const RACE_ROUNDS = 10;

test.concurrent(`TERM during a reload, HUP during shutdown (${RACE_ROUNDS} rounds each, random gap): the master stops, nothing is left`, async () => {
  for (let round = 0; round < RACE_ROUNDS * 2; round++) {
    const order = round % 2 === 0 ? (["SIGHUP", "SIGTERM"] as const) : (["SIGTERM", "SIGHUP"] as const);
    const { port, config } = await appConfig();
    await withMaster(launcher, { config, args: [APP], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
      await expectStatusMatchesProcesses(run, COMPANIONS);
      const workers = run.workerPids();
      run.writeConfig({ ...config, companion_workers: companions({ env: { FOO: `x${round}` } }) });
      run.signal(order[0]);
      await sleep(Math.random() * 300);
      run.signal(order[1]);
      expect(await run.exited).toBe(0);
      await expectNothingLeft(run, workers);
      expect(run.workerPids()).toEqual([]);
      expectNoDuplicates(run);
    });
  }
}, 240_000);

test.concurrent("TTIN/TTOU bursts: the worker count the master settles on is the one that runs", async () => {
  const { port, config } = await appConfig();
  await withMaster(launcher, { config, args: [APP], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
    // Back to back (coalesced by the kernel) and a few ms apart (each one
    // handled while the spawns of the previous ones are in flight).
    for (let i = 0; i < 10; i++) run.signal("SIGTTIN");
    for (let i = 0; i < 6; i++) run.signal("SIGTTOU");
    await sleep(500);
    for (let i = 0; i < 5; i++) run.signal(i % 2 === 0 ? "SIGTTIN" : "SIGTTOU");
    for (let i = 0; i < 8; i++) {
      run.signal("SIGTTIN");
      await sleep(3);
    }
    for (let i = 0; i < 5; i++) {
      run.signal(i % 2 === 0 ? "SIGTTOU" : "SIGTTIN");
      await sleep(3);
    }
    // Signals in a burst coalesce: what counts is the last count the master logged.
    const desired = () => {
      const counts = [...run.output().matchAll(/TT(?:IN|OU): (\d+) worker\(s\)/g)].map((m) => Number(m[1]));
      return counts.at(-1) ?? 2;
    };
    await waitFor(async () => {
      const want = desired();
      await sleep(300);
      return want === desired() && run.workerPids().length === want;
    }, () => `${desired()} workers (now ${run.workerPids().length})`, 30_000);
    expect((await fetch(`http://127.0.0.1:${port}/`)).ok).toBe(true);
    await expectStatusMatchesProcesses(run, COMPANIONS);
  });
}, 90_000);
