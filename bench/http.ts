/**
 * bench/http: requests per second and p99 latency of a hello-world app,
 * side by side in one run with wrk: the master (compiled binary) with 1 and
 * 2 workers against 1 and 2 bare Bun.serve processes with SO_REUSEPORT.
 * Goal: at least 0.95 of the bare processes' throughput with as many processes.
 *
 * Usage: bun bench/http.ts [--seconds 10] [--connections 64] [--rounds 3]
 */
import { createServer } from "node:net";
import { join } from "node:path";
import { BINARY, BUN, ROOT, machineDetails, median, report, requireBuild, stopProcess, tempDir, until } from "./lib.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const seconds = arg("--seconds", 10);
const connections = arg("--connections", 64);
const rounds = arg("--rounds", 3);

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
}

/** wrk against the URL; requests/s and p99 from its --latency report. */
function runWrk(url: string): Result {
  const out = Bun.spawnSync(["wrk", "-t", "2", "-c", String(connections), "-d", `${seconds}s`, "--latency", url]).stdout.toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const unit = p99?.[2] === "us" ? 0.001 : p99?.[2] === "s" ? 1000 : 1;
  return { rps, p99Ms: Number(p99?.[1] ?? Number.NaN) * unit };
}

type System = { label: string; start(port: number, dir: string): Promise<Array<{ pid: number; exited: Promise<unknown> }>> };

const systems: System[] = [
  ...[1, 2].map((n) => ({
    label: `bare Bun.serve × ${n}`,
    async start(port: number) {
      return Array.from({ length: n }, () => Bun.spawn([BUN, join(ROOT, "bench/fixtures/bare-bun.ts"), String(port)], { stdout: "ignore", stderr: "ignore" }));
    },
  })),
  ...[1, 2].map((n) => ({
    label: `gunicorn-companion master, ${n} worker${n > 1 ? "s" : ""}`,
    async start(port: number, dir: string) {
      return [
        Bun.spawn([BINARY, "master", join(ROOT, "bench/fixtures/hello.ts"), "-b", `127.0.0.1:${port}`, "-w", String(n), "--log-level", "warning"], {
          cwd: dir,
          env: { ...process.env, TMPDIR: dir },
          stdout: "ignore",
          stderr: "ignore",
        }),
      ];
    },
  })),
];

const tmp = tempDir("gc-bench-http");
const samples = new Map<string, Result[]>(systems.map((s) => [s.label, []]));
try {
  for (let round = 0; round < rounds; round++) {
    // Systems run alternately, round by round, so drift on the machine hits all alike.
    for (const system of systems) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/`;
      const procs = await system.start(port, tmp.dir);
      try {
        await until(async () => (await fetch(url).then((r) => r.ok).catch(() => false)), `${system.label} to answer`);
        Bun.spawnSync(["wrk", "-t", "1", "-c", "8", "-d", "1s", url]); // warm-up
        samples.get(system.label)?.push(runWrk(url));
      } finally {
        for (const proc of procs) await stopProcess(proc);
      }
    }
  }
  const row = (label: string) => {
    const results = samples.get(label) ?? [];
    return { rps: median(results.map((r) => r.rps)), p99: median(results.map((r) => r.p99Ms)) };
  };
  const lines = [
    `### HTTP hello world, wrk -t 2 -c ${connections} -d ${seconds}s, median of ${rounds} rounds`,
    "",
    machineDetails(),
    "",
    "| server | requests/s | p99 latency | vs bare, same process count |",
    "| --- | ---: | ---: | ---: |",
  ];
  for (const n of [1, 2]) {
    const bare = row(`bare Bun.serve × ${n}`);
    const ours = row(`gunicorn-companion master, ${n} worker${n > 1 ? "s" : ""}`);
    lines.push(`| bare Bun.serve × ${n} | ${bare.rps.toFixed(0)} | ${bare.p99.toFixed(2)} ms | 1.00 |`);
    lines.push(`| master, ${n} worker${n > 1 ? "s" : ""} | ${ours.rps.toFixed(0)} | ${ours.p99.toFixed(2)} ms | ${(ours.rps / bare.rps).toFixed(3)} |`);
  }
  lines.push("", "wrk shares the machine's 2 cores with the servers. Reproduce: `bun bench/http.ts` (after `npm run build`; wrk from Debian).");
  report("http", `${lines.join("\n")}\n`);
} finally {
  tmp.cleanup();
}
