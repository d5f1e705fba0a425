/**
 * 1,000 command companions (`sleep 3600`, startsecs 0) against supervisord
 * with `numprocs=1000`, side by side in one run on this machine:
 *
 *   bun bench/many.ts [--count 1000] [--idle-secs 30]
 *
 * For each: the time from start until all are RUNNING; the status p99 over
 * 200 requests on the control protocol (our NDJSON socket; supervisord's
 * XML-RPC getAllProcessInfo on its unix socket) and the p50 of 20 CLI runs
 * (`status` vs `supervisorctl status`); the supervisor's RSS and PSS with
 * 1,000 children and with none (the difference per child); its CPU over
 * `--idle-secs` of idleness; and the time from SIGTERM until every child is
 * gone. Needs the compiled binary (npm run build) and supervisord
 * (bench/setup.sh). Writes bench/results/many.md.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../test/helpers/master.ts";
import { BINARY, machineDetails, percentile, report, requireBuild, sleep, tempDir, until } from "./lib.ts";
import { alive, cpuSeconds, pssMiB, rssMiB } from "./proc.ts";
import { hasSupervisord, startSupervisord } from "./peers/supervisord.ts";

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = flag("count", 1000);
const IDLE_SECS = flag("idle-secs", 30);
const PROTOCOL_REQUESTS = 200;
const CLI_RUNS = 20;

/** What one system measured. */
interface Figures {
  startSecs: number;
  statusP50Ms: number;
  statusP99Ms: number;
  cliP50Ms: number;
  rssMiB: number;
  pssMiB: number;
  emptyRssMiB: number;
  idleCpuMs: number;
  stopSecs: number;
}

/** The system under test, as the measurements need it. */
interface System {
  /** States and pids of the children, through the control protocol. */
  children(): Promise<Array<{ state: string; pid: number | null }>>;
  /** One status request on the control protocol. */
  status(): Promise<unknown>;
  cli: string[];
  /** The supervisor's own processes (ours: master and manager). */
  supervisorPids(): number[];
  terminate(): void;
  /** Resolves once the supervisor itself has exited. */
  waitExit(): Promise<unknown>;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function measure(name: string, start: () => Promise<System>, empty: () => Promise<System>): Promise<Figures> {
  console.log(`${name}: starting ${COUNT} children`);
  const started = performance.now();
  const system = await start();
  await until(async () => (await system.children()).filter((c) => c.state === "RUNNING").length === COUNT, `${name}: all RUNNING`, 300_000);
  const startSecs = (performance.now() - started) / 1000;
  console.log(`${name}: all RUNNING after ${startSecs.toFixed(2)} s`);

  await sleep(2000);
  const requests: number[] = [];
  for (let i = 0; i < PROTOCOL_REQUESTS; i++) requests.push(await timed(() => system.status()));
  const cli: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) cli.push(await timed(async () => void (await Bun.spawn(system.cli, { stdout: "ignore", stderr: "ignore" }).exited)));

  const pids = system.supervisorPids();
  const rss = pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  const pss = pids.reduce((sum, pid) => sum + pssMiB(pid), 0);
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  console.log(`${name}: idle for ${IDLE_SECS} s`);
  await sleep(IDLE_SECS * 1000);
  const idleCpuMs = (pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0) - cpuBefore) * 1000;

  const children = (await system.children()).map((c) => c.pid).filter((pid): pid is number => pid !== null);
  const stopping = performance.now();
  system.terminate();
  await until(() => children.every((pid) => !alive(pid)), `${name}: children gone`, 120_000);
  const stopSecs = (performance.now() - stopping) / 1000;
  await system.waitExit();

  const none = await empty();
  await sleep(2000);
  const emptyRss = none.supervisorPids().reduce((sum, pid) => sum + rssMiB(pid), 0);
  none.terminate();
  await none.waitExit();

  return {
    startSecs,
    statusP50Ms: percentile(requests, 50),
    statusP99Ms: percentile(requests, 99),
    cliP50Ms: percentile(cli, 50),
    rssMiB: rss,
    pssMiB: pss,
    emptyRssMiB: emptyRss,
    idleCpuMs,
    stopSecs,
  };
}

/** Our master (the compiled binary) with `count` members of one command companion. */
async function startOurs(dir: string, count: number): Promise<System> {
  const socket = join(dir, `gc-${count}.sock`);
  const config = join(dir, `gc-${count}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      companion_control_socket: socket,
      loglevel: "warning",
      companion_workers: count === 0 ? [] : [{ name: "sleep", command: ["sleep", "3600"], numprocs: count, startsecs: 0, stop_timeout: 10 }],
    }),
  );
  const proc = Bun.spawn([BINARY, "master", "-c", config], { cwd: dir, env: { ...process.env, TMPDIR: dir }, stdout: "ignore", stderr: "inherit" });
  const status = async () => (await rawRequest(socket, { cmd: "status" })) as { companions?: Array<{ state: string; pid: number | null }> };
  await until(() => status().then(() => true, () => false), "our control socket");
  const manager = () => Number(Bun.spawnSync(["pgrep", "-P", String(proc.pid), "-f", "manager"]).stdout.toString().trim().split("\n")[0] ?? 0);
  return {
    children: async () => (await status().catch(() => ({ companions: [] }))).companions ?? [],
    status,
    cli: [BINARY, "-s", socket, "status"],
    supervisorPids: () => [proc.pid, manager()].filter((pid) => pid > 0),
    terminate: () => proc.kill("SIGTERM"),
    waitExit: () => proc.exited,
  };
}

const XMLRPC_ALL = '<?xml version="1.0"?><methodCall><methodName>supervisor.getAllProcessInfo</methodName><params/></methodCall>';

/** supervisord with one program of `count` processes. */
async function startTheirs(dir: string, count: number): Promise<System> {
  const sub = join(dir, `sv-${count}`);
  Bun.spawnSync(["mkdir", "-p", sub]);
  const programs: Record<string, string> = count === 0 ? {} : { sleep: "sleep 3600" };
  const supervisord = await startSupervisord(sub, programs, `startsecs=0\nnumprocs=${count}\nprocess_name=%(program_name)s_%(process_num)04d`, false);
  const socket = join(sub, "supervisor.sock");
  const status = async () => {
    const response = await fetch("http://localhost/RPC2", { method: "POST", body: XMLRPC_ALL, headers: { "content-type": "text/xml" }, unix: socket });
    return response.text();
  };
  return {
    async children() {
      const xml = await status().catch(() => "");
      const states = [...xml.matchAll(/<name>statename<\/name>\s*<value><string>([A-Z]+)<\/string>/g)].map((m) => m[1] ?? "");
      const pids = [...xml.matchAll(/<name>pid<\/name>\s*<value><int>(\d+)<\/int>/g)].map((m) => Number(m[1]));
      return states.map((state, i) => ({ state, pid: pids[i] && pids[i] > 0 ? pids[i] : null }));
    },
    status,
    cli: [...supervisord.ctl, "status"],
    supervisorPids: () => [supervisord.pid],
    terminate: () => process.kill(supervisord.pid, "SIGTERM"),
    waitExit: () => until(() => !alive(supervisord.pid), "supervisord to exit", 120_000),
  };
}

requireBuild();
if (!hasSupervisord()) throw new Error("supervisord is not installed: run bench/setup.sh");
const { dir, cleanup } = tempDir("many");
try {
  const ours = await measure("gunicorn-companion", () => startOurs(dir, COUNT), () => startOurs(dir, 0));
  const theirs = await measure("supervisord", () => startTheirs(dir, COUNT), () => startTheirs(dir, 0));
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(3)}×` : "–");
  const rows: Array<[string, (f: Figures) => number, string, string]> = [
    ["start until all RUNNING (s)", (f) => f.startSecs, "≤ 1/4", "%.2f"],
    [`status p50, ${PROTOCOL_REQUESTS} protocol requests (ms)`, (f) => f.statusP50Ms, "", "%.2f"],
    [`status p99, ${PROTOCOL_REQUESTS} protocol requests (ms)`, (f) => f.statusP99Ms, "< 5 ms, ≤ 1/4", "%.2f"],
    [`status CLI p50, ${CLI_RUNS} runs (ms)`, (f) => f.cliP50Ms, "", "%.1f"],
    [`supervisor RSS with ${COUNT} children (MiB)`, (f) => f.rssMiB, "≤ 1×", "%.1f"],
    [`supervisor PSS with ${COUNT} children (MiB)`, (f) => f.pssMiB, "", "%.1f"],
    ["supervisor RSS per child (KiB)", (f) => ((f.rssMiB - f.emptyRssMiB) * 1024) / COUNT, "", "%.1f"],
    [`CPU over ${IDLE_SECS} s idle (ms)`, (f) => f.idleCpuMs, "≤ 1/4", "%.0f"],
    ["SIGTERM until all children gone (s)", (f) => f.stopSecs, "≤ 1/4", "%.2f"],
  ];
  const format = (value: number, spec: string) => value.toFixed(Number(spec.slice(2, 3)));
  const lines = [
    `# ${COUNT} command companions vs supervisord (numprocs=${COUNT})`,
    "",
    `Measured by \`bun bench/many.ts --count ${COUNT} --idle-secs ${IDLE_SECS}\` on ${machineDetails()}.`,
    "Ours: the compiled binary, master + manager (RSS, PSS and CPU are the sum of both). Children: `sleep 3600`, startsecs 0.",
    "",
    "| measure | gunicorn-companion | supervisord | ratio | target |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(([label, pick, target, spec]) => `| ${label} | ${format(pick(ours), spec)} | ${format(pick(theirs), spec)} | ${ratio(pick(ours), pick(theirs))} | ${target} |`),
    "",
  ];
  report("many", lines.join("\n"));
} finally {
  cleanup();
}
