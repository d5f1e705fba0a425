/**
 * Storm scenarios, measured: companions that crash every 50 ms, and one that
 * floods stdout. Used by test/chaos (short) and bench/soak (long).
 */
import { join } from "node:path";
import type { Launcher } from "../helpers/launchers.ts";
import { ROOT } from "../helpers/launchers.ts";
import { FAST, fixture, rawRequest, withMaster } from "../helpers/master.ts";
import { freePort } from "../helpers/ports.ts";
import { sleep } from "../helpers/processes.ts";
import { percentile } from "../../bench/lib.ts";
import { rssMiB } from "../../bench/proc.ts";

/** What a crash storm did to the manager and the web tier. */
export interface CrashStormResult {
  seconds: number;
  restartDelaySecs: number;
  restarts: number;
  managerRssStartMiB: number;
  managerRssEndMiB: number;
  statusP99Ms: number;
  statusSamples: number;
  httpOk: number;
  httpFailed: number;
}

/** `count` companions that exit 50 ms after they start, restarted after `restartDelaySecs`, for `seconds`; HTTP requests flow meanwhile. */
export async function crashStorm(launcher: Launcher, count: number, seconds: number, restartDelaySecs = 1): Promise<CrashStormResult> {
  const port = await freePort();
  const config = {
    ...FAST,
    companion_restart_delay: restartDelaySecs,
    companion_startsecs: 0,
    workers: 1,
    bind: [`127.0.0.1:${port}`],
    companion_workers: Array.from({ length: count }, (_, i) => fixture(`crash-${i}`, "crash", { env: { CRASH_AFTER_MS: "50" } })),
  };
  let result: CrashStormResult | null = null;
  await withMaster(launcher, { config, args: [join(ROOT, "test/fixtures/app.mjs")], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
    const manager = run.managerPid() ?? 0;
    await sleep(1000);
    const rssStart = rssMiB(manager);
    const statusTimes: number[] = [];
    let httpOk = 0;
    let httpFailed = 0;
    const end = Date.now() + seconds * 1000;
    const probe = (async () => {
      while (Date.now() < end) {
        const started = performance.now();
        const reply = await rawRequest(run.socket, { cmd: "status" }).catch(() => null);
        if (reply?.ok === true) statusTimes.push(performance.now() - started);
        await sleep(50);
      }
    })();
    const web = (async () => {
      while (Date.now() < end) {
        const ok = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
        if (ok) httpOk += 1;
        else httpFailed += 1;
        await sleep(20);
      }
    })();
    await Promise.all([probe, web]);
    const status = await rawRequest(run.socket, { cmd: "status" });
    const companions = (status.companions ?? []) as Array<{ restart_count: number }>;
    result = {
      seconds,
      restartDelaySecs,
      restarts: companions.reduce((sum, c) => sum + c.restart_count, 0),
      managerRssStartMiB: rssStart,
      managerRssEndMiB: rssMiB(manager),
      statusP99Ms: percentile(statusTimes, 99),
      statusSamples: statusTimes.length,
      httpOk,
      httpFailed,
    };
  });
  if (result === null) throw new Error("the crash storm did not run");
  return result;
}

/** What a stdout flood did to the manager and to another companion. */
export interface FloodResult {
  floodedMiB: number;
  statusP99Ms: number;
  otherCompanionPidUnchanged: boolean;
}

/** A companion writes `mib` MiB to stdout as fast as it can (into a file), while status is probed. */
export async function stdoutFlood(launcher: Launcher, mib: number): Promise<FloodResult> {
  const config = {
    ...FAST,
    companion_workers: [fixture("flood", "flood", { env: { FLOOD_MIB: String(mib) }, stdout: "flood.log" }), fixture("quiet")],
  };
  let result: FloodResult | null = null;
  await withMaster(launcher, { config }, async (run) => {
    const { quiet } = await run.waitStates({ quiet: "RUNNING", flood: "RUNNING" });
    const times: number[] = [];
    const logFile = Bun.file(join(run.dir, "flood.log"));
    const deadline = Date.now() + 120_000;
    while (logFile.size < mib * 1024 * 1024 && Date.now() < deadline) {
      const started = performance.now();
      await rawRequest(run.socket, { cmd: "status" });
      times.push(performance.now() - started);
      await sleep(20);
    }
    const after = await run.statusOf("quiet");
    result = { floodedMiB: logFile.size / 1024 / 1024, statusP99Ms: percentile(times, 99), otherCompanionPidUnchanged: after.pid === quiet?.pid };
  });
  if (result === null) throw new Error("the flood did not run");
  return result;
}
