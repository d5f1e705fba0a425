/**
 * Companion output under a flood, side by side in one run on this machine:
 *
 *   bun bench/logs.ts [WORD]   (WORD: only the rows whose name has it; no results file)
 *
 * A companion writes 100 MiB of 100-byte lines (`yes` cut by `head -c`), then
 * 924 MiB more (1 GiB in all). Systems: ours through the prefix path (the
 * master's stdout is a file; every line gets `flood | `), ours to a log file
 * (the manager reads the pipe and writes the file), supervisord
 * (`stdout_logfile`) and PM2 (`out_file`); no rotation anywhere. Ours runs
 * as the binary (Bun), and again with the master and manager under Node and
 * under Deno; a last row is the floor of any manager on Bun: Bun itself
 * copying the pipe to the file, chunk by chunk, with nothing else
 * (bench/fixtures/pipe-to-file.ts). For each:
 * throughput of the first 100 MiB (until the destination file holds it all),
 * the supervisor's CPU per MiB over it, `status` p99 during it (our control
 * socket; supervisord's XML-RPC getAllProcessInfo; PM2 has no socket protocol
 * a client can time without its CLI), and the supervisor's RSS after the
 * first 100 MiB and after 1 GiB. Needs the compiled binary (npm run build),
 * supervisord and PM2 (bench/setup.sh). Writes bench/results/logs.md.
 */
import { closeSync, existsSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../test/helpers/master.ts";
import { BINARY, BUN, DENO, machineDetails, NODE_BUNDLE, percentile, report, requireBuild, ROOT, sleep, tempDir, until } from "./lib.ts";
import { cpuSeconds, rssMiB } from "./proc.ts";
import { hasPm2, startPm2 } from "./peers/pm2.ts";
import { hasSupervisord, startSupervisord } from "./peers/supervisord.ts";

const MIB = 1024 * 1024;
const FLOOD = 100 * MIB;
/** 1 GiB, cut to whole lines (a partial last line would be held, waiting for its newline). */
const TOTAL = Math.floor((1024 * MIB) / 100) * 100;
const LINE = "0".repeat(99);
/** Waits for `go1`, floods 100 MiB, waits for `go2`, floods the rest of 1 GiB, then idles. */
const SCRIPT = [
  "while [ ! -f go1 ]; do sleep 0.01; done",
  `yes ${LINE} | head -c ${FLOOD}`,
  "while [ ! -f go2 ]; do sleep 0.01; done",
  `yes ${LINE} | head -c ${TOTAL - FLOOD}`,
  "exec sleep 3600",
].join("; ");

/** A system under test. */
interface System {
  /** The file the output ends up in, and how many bytes it holds per byte written. */
  destination: string;
  ratio: number;
  /** One status request; null when the system has no protocol to time. */
  status: (() => Promise<unknown>) | null;
  /** The processes that carry the output (ours: master and manager). */
  pids(): number[];
  /** The one that holds the buffers (ours: the manager). */
  carrier(): number;
  stop(): Promise<void>;
}

interface Figures {
  mibPerSec: number;
  cpuMsPerMiB: number;
  statusP99Ms: number | null;
  statusCount: number;
  rssAfter100: number;
  rssAfter1G: number;
}

async function measure(name: string, dir: string, system: System): Promise<Figures> {
  const size = () => (existsSync(system.destination) ? statSync(system.destination).size : 0);
  const cpu = () => system.pids().reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const cpuBefore = cpu();
  const samples: number[] = [];
  let flooding = true;
  const prober = (async () => {
    while (flooding && system.status !== null) {
      const started = performance.now();
      await system.status();
      samples.push(performance.now() - started);
      await sleep(5);
    }
  })();
  const started = performance.now();
  writeFileSync(join(dir, "go1"), "");
  await until(() => size() >= FLOOD * system.ratio, `${name}: 100 MiB written`, 300_000);
  const seconds = (performance.now() - started) / 1000;
  flooding = false;
  await prober;
  const cpuMs = (cpu() - cpuBefore) * 1000;
  const rssAfter100 = rssMiB(system.carrier());
  writeFileSync(join(dir, "go2"), "");
  await until(() => size() >= TOTAL * system.ratio, `${name}: 1 GiB written`, 600_000);
  await sleep(500);
  const rssAfter1G = rssMiB(system.carrier());
  await system.stop();
  const figures = {
    mibPerSec: FLOOD / MIB / seconds,
    cpuMsPerMiB: cpuMs / (FLOOD / MIB),
    statusP99Ms: samples.length === 0 ? null : percentile(samples, 99),
    statusCount: samples.length,
    rssAfter100,
    rssAfter1G,
  };
  console.log(name, JSON.stringify(figures));
  return figures;
}

/** How our master is run: the binary (the default way), or the manager under Node or Deno. */
const LAUNCHERS = {
  binary: [BINARY],
  node: ["node", NODE_BUNDLE],
  deno: [DENO, "run", "--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-sys", "--allow-net", "--allow-ffi", join(ROOT, "src/cli/main.ts")],
};

async function ours(dir: string, path: "prefix" | "file", launcher: keyof typeof LAUNCHERS = "binary"): Promise<System> {
  const socket = join(dir, "gc.sock");
  const config = join(dir, "gc.json");
  const destination = join(dir, path === "prefix" ? "master-stdout.log" : "flood.log");
  const stdout = path === "file" ? { stdout: destination, stdout_max_bytes: 0 } : {};
  writeFileSync(config, JSON.stringify({ companion_control_socket: socket, loglevel: "warning", companion_workers: [{ name: "flood", command: SCRIPT, cwd: dir, startsecs: 0, ...stdout }] }));
  const out = openSync(path === "prefix" ? destination : join(dir, "master.log"), "a");
  const proc = Bun.spawn([...LAUNCHERS[launcher], "master", "-c", config], { cwd: dir, env: { ...process.env, TMPDIR: dir }, stdout: out, stderr: "inherit" });
  closeSync(out);
  const status = () => rawRequest(socket, { cmd: "status" });
  await until(async () => ((await status().catch(() => ({}))) as { companions?: Array<{ state: string }> }).companions?.[0]?.state === "RUNNING", "our companion RUNNING");
  const manager = () => Number(Bun.spawnSync(["pgrep", "-P", String(proc.pid)]).stdout.toString().trim().split("\n")[0] ?? 0);
  return {
    destination,
    ratio: path === "prefix" ? (LINE.length + 1 + "flood | ".length) / (LINE.length + 1) : 1,
    status,
    pids: () => [proc.pid, manager()].filter((pid) => pid > 0),
    carrier: manager,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** Bun itself copying the pipe to the file, chunk by chunk: the floor of a manager on Bun (bench/fixtures/pipe-to-file.ts). */
async function bunFloor(dir: string): Promise<System> {
  const destination = join(dir, "flood.log");
  // Its own process group, so the flood script goes with it.
  const proc = Bun.spawn([BUN, join(ROOT, "bench/fixtures/pipe-to-file.ts"), SCRIPT, destination], { cwd: dir, stdout: "inherit", stderr: "inherit", detached: true });
  return {
    destination,
    ratio: 1,
    status: null,
    pids: () => [proc.pid],
    carrier: () => proc.pid,
    async stop() {
      process.kill(-proc.pid, "SIGKILL");
      await proc.exited;
    },
  };
}

const XMLRPC_ALL = '<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params/></methodCall>';

async function supervisord(dir: string): Promise<System> {
  const destination = join(dir, "flood.log");
  const extra = `directory=${dir}\nstartsecs=0\nstdout_logfile=${destination}\nstdout_logfile_maxbytes=0\nstderr_logfile=NONE`;
  const sv = await startSupervisord(dir, { flood: `/bin/sh -c '${SCRIPT}'` }, extra);
  const socket = join(dir, "supervisor.sock");
  return {
    destination,
    ratio: 1,
    status: () => fetch("http://localhost/RPC2", { method: "POST", body: XMLRPC_ALL, headers: { "content-type": "text/xml" }, unix: socket }).then((r) => r.text()),
    pids: () => [sv.pid],
    carrier: () => sv.pid,
    stop: () => sv.stop(),
  };
}

async function pm2(dir: string): Promise<System> {
  const destination = join(dir, "flood.log");
  const daemon = await startPm2(dir, { flood: ["/bin/sh", "-c", SCRIPT] }, { interpreter: "none", cwd: dir, out_file: destination, error_file: join(dir, "flood-err.log"), autorestart: false });
  return {
    destination,
    ratio: 1,
    status: null,
    pids: () => [daemon.daemonPid()],
    carrier: () => daemon.daemonPid(),
    stop: () => daemon.kill(),
  };
}

requireBuild();
const systems: Array<[string, (dir: string) => Promise<System>]> = [
  ["gunicorn-companion, prefix to the master's stdout", (dir) => ours(dir, "prefix")],
  ["gunicorn-companion, log file", (dir) => ours(dir, "file")],
  ["gunicorn-companion under Node, prefix", (dir) => ours(dir, "prefix", "node")],
  ["gunicorn-companion under Node, log file", (dir) => ours(dir, "file", "node")],
  ["gunicorn-companion under Deno, prefix", (dir) => ours(dir, "prefix", "deno")],
  ["gunicorn-companion under Deno, log file", (dir) => ours(dir, "file", "deno")],
  ["floor: Bun copying the pipe to the file, nothing else", bunFloor],
];
if (hasSupervisord()) systems.push(["supervisord, stdout_logfile", supervisord]);
else console.log("supervisord is not installed: skipped (bench/setup.sh)");
if (hasPm2()) systems.push(["PM2, out_file", pm2]);
else console.log("PM2 is not installed: skipped (bench/setup.sh)");

// `bun bench/logs.ts WORD` runs only the rows whose name has WORD, and writes no results file.
const only = process.argv[2]?.toLowerCase();
const rows: string[] = [];
for (const [name, start] of systems) {
  if (only !== undefined && !name.toLowerCase().includes(only)) continue;
  const { dir, cleanup } = tempDir("logs");
  try {
    const f = await measure(name, dir, await start(dir));
    const p99 = f.statusP99Ms === null ? "n/a" : `${f.statusP99Ms.toFixed(1)} (${f.statusCount} requests)`;
    rows.push(`| ${name} | ${f.mibPerSec.toFixed(0)} | ${f.cpuMsPerMiB.toFixed(2)} | ${p99} | ${f.rssAfter100.toFixed(1)} | ${f.rssAfter1G.toFixed(1)} |`);
  } finally {
    cleanup();
  }
}
if (only === undefined) {
  report(
    "logs",
    [
      "# Companion output under a flood: ours vs supervisord and PM2",
      "",
      `Measured by \`bun bench/logs.ts\` on ${machineDetails()}.`,
      "A companion writes 100 MiB of 100-byte lines (`yes | head -c`), then 924 MiB more; no rotation. Throughput: the first 100 MiB, until the destination file holds it all.",
      "CPU and RSS are the supervisor's: ours master + manager (CPU) and the manager (RSS); supervisord's one process; PM2's daemon; the floor's one Bun process. Status p99: one request every 5 ms during the first 100 MiB.",
      "Ours is the compiled binary (Bun) unless the row says Node or Deno (the master and manager under that runtime). The floor is Bun reading the pipe and writing each chunk to the file with nothing else (bench/fixtures/pipe-to-file.ts): what any manager on Bun pays before it looks at a byte.",
      "",
      "| system | MiB/s | CPU ms per MiB | status p99 during the flood (ms) | RSS after 100 MiB (MiB) | RSS after 1 GiB (MiB) |",
      "| --- | --- | --- | --- | --- | --- |",
      ...rows,
      "",
    ].join("\n"),
  );
}
