/**
 * `npm run bench`: gunicorn-companion (the compiled binary) against
 * supervisord and PM2, when present (bench/setup.sh installs them, never as
 * services), the same work, systems alternating, each figure the median of at
 * least 3 repetitions. Prints a markdown table and writes bench/results/compare.md.
 *
 * Usage: bun bench/compare.ts [--reps 3] [--idle-secs 30] [--only name,name]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasPm2, startPm2 } from "./peers/pm2.ts";
import { hasSupervisord, startSupervisord } from "./peers/supervisord.ts";
import { startOurs } from "./peers/ours.ts";
import { ROOT, machineDetails, median, percentile, report, requireBuild, sleep, tempDir, timeCommand, until } from "./lib.ts";
import { alive, cpuSeconds, pssMiB, rssMiB } from "./proc.ts";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const REPS = Number(arg("--reps", "3"));
const IDLE_SECS = Number(arg("--idle-secs", "30"));
const ONLY = arg("--only", "").split(",").filter(Boolean);
const SCRIPT = join(ROOT, "bench/fixtures/programs.cjs");
/** Seconds of requests before the 1,000 that are timed: JIT and caches warm, for every system alike. */
const WARMUP_SECS = 2;

requireBuild();
const peers = { supervisord: hasSupervisord(), pm2: hasPm2() };
type SystemName = "gunicorn-companion" | "supervisord" | "pm2";
const SYSTEMS: SystemName[] = ["gunicorn-companion", ...(peers.supervisord ? (["supervisord"] as const) : []), ...(peers.pm2 ? (["pm2"] as const) : [])];

/** One row: a figure per system (lower is better), with its unit. */
interface Row {
  scenario: string;
  unit: string;
  values: Partial<Record<SystemName, number>>;
  note?: string;
}
const rows: Row[] = [];

/** A system started for a scenario, with what the scenarios ask of it. */
interface Running {
  daemonPids(): number[];
  programPids(): Promise<number[]>;
  statusArgv: string[];
  stop(): Promise<void>;
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `p${i + 1}`);

async function start(system: SystemName, dir: string, count: number, program: "idle" | "crash", env: Record<string, string> = {}): Promise<Running> {
  if (system === "gunicorn-companion") {
    const ours = await startOurs(dir, count, program, { env, restartDelay: program === "crash" ? 0 : 5, wait: program !== "crash" });
    return {
      daemonPids: () => [ours.masterPid, ours.managerPid()],
      programPids: () => ours.companionPids(),
      statusArgv: ours.statusArgv,
      async stop() {
        ours.stop();
        await ours.exited;
      },
    };
  }
  if (system === "supervisord") {
    const envLine = Object.entries(env).map(([k, v]) => `${k}="${v}"`).join(",");
    const extra = `startsecs=0\nstartretries=1000000${envLine ? `\nenvironment=${envLine}` : ""}`;
    const sup = await startSupervisord(dir, Object.fromEntries(names(count).map((n) => [n, `node ${SCRIPT} ${program}`])), extra, program !== "crash");
    return {
      daemonPids: () => [sup.pid],
      programPids: async () =>
        Bun.spawnSync([...sup.ctl, "pid", "all"]).stdout.toString().split("\n").map(Number).filter((p) => p > 0),
      statusArgv: [...sup.ctl, "status"],
      stop: () => sup.stop(),
    };
  }
  const extra = program === "crash" ? { restart_delay: 0, min_uptime: 0, max_restarts: 1_000_000, env } : { env };
  const pm2 = await startPm2(dir, Object.fromEntries(names(count).map((n) => [n, [SCRIPT, program]])), extra, program !== "crash");
  return {
    daemonPids: () => [pm2.daemonPid()],
    programPids: async () => pm2.appPids(),
    statusArgv: [...pm2.cli("jlist")],
    stop: () => pm2.kill(),
  };
}

/** Runs `measure` REPS times per system, systems alternating; the median per system. */
async function scenario(
  name: string,
  unit: string,
  measure: (system: SystemName, dir: string) => Promise<number>,
  note?: string,
  only: readonly SystemName[] = SYSTEMS,
): Promise<void> {
  if (ONLY.length > 0 && !ONLY.some((o) => name.includes(o))) return;
  const samples = new Map<SystemName, number[]>();
  for (let rep = 0; rep < REPS; rep++) {
    for (const system of SYSTEMS.filter((s) => only.includes(s))) {
      const tmp = tempDir(`gc-cmp-${system}`);
      try {
        samples.set(system, [...(samples.get(system) ?? []), await measure(system, tmp.dir)]);
      } catch (error) {
        console.error(`${name} / ${system}: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        tmp.cleanup();
      }
    }
  }
  const values: Partial<Record<SystemName, number>> = {};
  for (const [system, list] of samples) values[system] = median(list);
  rows.push({ scenario: name, unit, values, note });
  console.log(`${name}: ${JSON.stringify(values)}`);
}

// --- the scenarios --------------------------------------------------------

await scenario("status CLI, 10 programs (median wall time)", "ms", async (system, dir) => {
  const running = await start(system, dir, 10, "idle");
  try {
    return median(timeCommand(running.statusArgv, 20, system === "pm2" ? { PM2_HOME: join(dir, "pm2-home") } : {}));
  } finally {
    await running.stop();
  }
});

/** p50/p99 of `count` status requests, one connection or one connection each. */
async function controlPlane(system: SystemName, dir: string, persistent: boolean, p: number): Promise<number> {
  const running = await start(system, dir, 100, "idle");
  const times: number[] = [];
  try {
    if (system === "gunicorn-companion") {
      const socket = join(dir, "gc.sock");
      const request = new TextEncoder().encode('{"cmd":"status"}\n');
      // A lean client (Bun's own sockets, no string building) so that the figure is the server's.
      const connect = async (onLine: () => void) =>
        Bun.connect({
          unix: socket,
          socket: {
            binaryType: "uint8array",
            data: (_s, d: Uint8Array) => {
              if (d[d.length - 1] === 10) onLine();
            },
          },
        });
      let waiting: () => void = () => {};
      const persistentSocket = persistent ? await connect(() => waiting()) : null;
      const once = async () => {
        if (persistentSocket !== null) {
          await new Promise<void>((resolve) => {
            waiting = resolve;
            persistentSocket.write(request);
          });
          return;
        }
        let done: () => void = () => {};
        const replied = new Promise<void>((resolve) => {
          done = resolve;
        });
        const fresh = await connect(() => done());
        fresh.write(request);
        await replied;
        fresh.end();
      };
      for (const until = performance.now() + WARMUP_SECS * 1000; performance.now() < until; ) await once();
      for (let i = 0; i < 1000; i++) {
        const t = performance.now();
        await once();
        times.push(performance.now() - t);
      }
      persistentSocket?.end();
    } else {
      const body = '<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params></params></methodCall>';
      const socket = join(dir, "supervisor.sock");
      const warmUntil = performance.now() + WARMUP_SECS * 1000;
      for (let i = 0; times.length < 1000; i++) {
        const t = performance.now();
        const response = await fetch("http://localhost/RPC2", {
          unix: socket,
          method: "POST",
          body,
          headers: { "content-type": "text/xml", ...(persistent ? {} : { connection: "close" }) },
        } as RequestInit);
        await response.text();
        if (t >= warmUntil) times.push(performance.now() - t);
      }
    }
    return percentile(times, p);
  } finally {
    await running.stop();
  }
}

for (const persistent of [true, false]) {
  for (const p of [50, 99]) {
    await scenario(
      `control plane, 100 programs, p${p} of 1,000 status requests (${persistent ? "one connection" : "a connection each"})`,
      "ms",
      (system, dir) => controlPlane(system, dir, persistent, p),
      "after 2 s of warm-up requests; supervisord: XML-RPC getAllProcessInfo; PM2's RPC has no request/reply to time from outside",
      ["gunicorn-companion", "supervisord"],
    );
  }
}

await scenario("cold start: launch to 50 programs running (startsecs 0)", "ms", async (system, dir) => {
  const started = performance.now();
  const running = await start(system, dir, 50, "idle");
  const took = performance.now() - started;
  await running.stop();
  return took;
});

/** Gaps between one instance's exit and the next one's first line, ms. */
async function respawnGaps(system: SystemName, dir: string): Promise<number[]> {
  const log = join(dir, "crash.log");
  writeFileSync(log, "");
  const running = await start(system, dir, 1, "crash", { CRASH_LOG: log });
  await sleep(system === "gunicorn-companion" ? 3000 : 8000);
  await running.stop();
  const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => l.split(" "));
  const gaps: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const [kind, at] = lines[i] ?? [];
    const [prevKind, prevAt] = lines[i - 1] ?? [];
    if (kind === "START" && prevKind === "EXIT") gaps.push(Number(at) - Number(prevAt));
  }
  return gaps;
}

for (const p of [50, 99]) {
  await scenario(`crash -> respawn, restart delay 0, p${p}`, "ms", async (system, dir) => percentile(await respawnGaps(system, dir), p));
}

/** Starts `count` idle programs, lets them settle for 2 s, measures, stops them. */
async function whileIdle<T>(system: SystemName, dir: string, count: number, measure: (running: Running) => Promise<T> | T): Promise<T> {
  const running = await start(system, dir, count, "idle");
  try {
    await sleep(2000);
    return await measure(running);
  } finally {
    await running.stop();
  }
}

/** CPU the supervisor's own processes use while 100 programs idle. */
function idleCpu(system: SystemName, dir: string): Promise<number> {
  return whileIdle(system, dir, 100, async (running) => {
    const pids = running.daemonPids();
    const before = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
    await sleep(IDLE_SECS * 1000);
    return (pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - before) * 1000;
  });
}

await scenario(
  `idle CPU of the supervisor over ${IDLE_SECS} s, 100 idle programs`,
  "ms CPU",
  (system, dir) => idleCpu(system, dir),
  "10 ms resolution (kernel clock ticks); gunicorn-companion: master + manager",
);
for (const count of [0, 100]) {
  for (const [label, measure] of [
    ["RSS of the supervisor", (pids: number[]) => pids.reduce((s, p) => s + rssMiB(p), 0)],
    ["PSS of the supervisor", (pids: number[]) => pids.reduce((s, p) => s + pssMiB(p), 0)],
  ] as const) {
    await scenario(
      `${label}, ${count} idle programs`,
      "MiB",
      (system, dir) => whileIdle(system, dir, count, (running) => measure(running.daemonPids())),
      "gunicorn-companion: master + manager (RSS counts the binary's shared pages in each)",
    );
  }
}

await scenario(
  "PSS of one idle program",
  "MiB",
  (system, dir) => whileIdle(system, dir, 100, async (running) => median((await running.programPids()).map(pssMiB))),
  "gunicorn-companion: a companion process; the peers: a node process",
);

await scenario("PSS of the whole tree, 100 idle programs", "MiB", (system, dir) =>
  whileIdle(system, dir, 100, async (running) => [...running.daemonPids(), ...(await running.programPids())].reduce((s, p) => s + pssMiB(p), 0)),
);

for (const what of ["programs gone", "supervisor gone"] as const) {
  await scenario(`shutdown of 100 prompt programs: SIGTERM to ${what}`, "ms", async (system, dir) => {
    const running = await start(system, dir, 100, "idle");
    const programs = await running.programPids();
    const daemons = running.daemonPids();
    const started = performance.now();
    const stopping = running.stop();
    await until(() => (what === "programs gone" ? programs : daemons).every((pid) => !alive(pid)), what, 60_000);
    const took = performance.now() - started;
    await stopping;
    return took;
  }, "PM2: `pm2 kill`");
}

// --- the table ------------------------------------------------------------

const header = ["scenario", ...SYSTEMS, ...SYSTEMS.slice(1).map((s) => `ours / ${s}`)];
const format = (value: number | undefined, unit: string) => (value === undefined || Number.isNaN(value) ? "n/a" : `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ${unit}`);
const lines = [
  `### gunicorn-companion against supervisord and PM2 (median of ${REPS})`,
  "",
  machineDetails(),
  peers.supervisord ? "" : "supervisord is not installed (bench/setup.sh): no figures for it.",
  peers.pm2 ? "" : "PM2 is not installed (bench/setup.sh): no figures for it.",
  `| ${header.join(" | ")} |`,
  `| ${header.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
  ...rows.map((row) => {
    const ours = row.values["gunicorn-companion"];
    const ratios = SYSTEMS.slice(1).map((s) => {
      const peer = row.values[s];
      return ours === undefined || peer === undefined || peer === 0 ? "n/a" : `${(ours / peer).toFixed(3)}`;
    });
    return `| ${row.scenario}${row.note ? ` (${row.note})` : ""} | ${SYSTEMS.map((s) => format(row.values[s], row.unit)).join(" | ")} | ${ratios.join(" | ")} |`;
  }),
  "",
  "Lower is better everywhere. Reproduce: `bench/setup.sh && npm run build && npm run bench`.",
].filter((line, i, all) => !(line === "" && all[i - 1] === ""));
report("compare", `${lines.join("\n")}\n`);
