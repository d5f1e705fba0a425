/**
 * Storm scenarios, measured: companions that crash every 50 ms, and one that
 * floods stdout. Used by test/chaos (short) and bench/soak (long).
 */
import { statSync } from "node:fs";
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
  statusSamples: number;
  otherCompanionPidUnchanged: boolean;
}

/** A companion writes `mib` MiB to stdout as fast as it can (into a file), while status is probed. */
export async function stdoutFlood(launcher: Launcher, mib: number): Promise<FloodResult> {
  const config = {
    ...FAST,
    companion_workers: [fixture("flood", "flood", { env: { FLOOD_MIB: String(mib) }, stdout: "flood.log", stdout_max_bytes: 0 }), fixture("quiet")],
  };
  let result: FloodResult | null = null;
  await withMaster(launcher, { config }, async (run) => {
    // Probing starts before the flood does and goes on until it is over: every
    // sample is taken while the flooding companion writes.
    const times: number[] = [];
    const logFile = join(run.dir, "flood.log");
    const size = () => statSync(logFile, { throwIfNoEntry: false })?.size ?? 0;
    const target = mib * 1024 * 1024;
    const deadline = Date.now() + 120_000;
    let quietPid: number | null = null;
    while (Date.now() < deadline) {
      const started = performance.now();
      const reply = await rawRequest(run.socket, { cmd: "status" }).catch(() => null);
      if (reply?.ok === true) {
        times.push(performance.now() - started);
        const quiet = (reply.companions as Array<{ name: string; pid: number | null; state: string }>).find((c) => c.name === "quiet");
        if (quietPid === null && quiet?.state === "RUNNING") quietPid = quiet.pid;
      }
      if (size() >= target && quietPid !== null) break;
      await sleep(2);
    }
    const after = await run.statusOf("quiet");
    result = {
      floodedMiB: size() / 1024 / 1024,
      statusP99Ms: percentile(times, 99),
      statusSamples: times.length,
      otherCompanionPidUnchanged: quietPid !== null && after.pid === quietPid,
    };
  });
  if (result === null) throw new Error("the flood did not run");
  return result;
}
