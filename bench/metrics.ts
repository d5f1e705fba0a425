/**
 * The cost of one scrape of the metrics endpoint with 1,000 command
 * companions (`sleep 3600`) running:
 *
 *   bun bench/metrics.ts [--count 1000] [--scrapes 50]
 *
 * Starts the compiled binary with `companion_metrics_bind` on port 0, waits
 * until every companion is RUNNING, then times `--scrapes` sequential GET
 * /metrics (p50, p99, the size of the text) and the manager's CPU per
 * scrape; runs `promtool check metrics` on one when promtool is installed.
 * Needs the compiled binary (npm run build). Writes bench/results/metrics.md.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../test/helpers/master.ts";
import { BINARY, machineDetails, percentile, report, requireBuild, stopProcess, tempDir, until } from "./lib.ts";
import { cpuSeconds } from "./proc.ts";

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const COUNT = flag("count", 1000);
const SCRAPES = flag("scrapes", 50);

requireBuild();
const tmp = tempDir("gc-metrics-bench");
const socket = join(tmp.dir, "c.sock");
const config = join(tmp.dir, "c.json");
const log = join(tmp.dir, "master.log");
writeFileSync(
  config,
  JSON.stringify({
    companion_control_socket: socket,
    companion_metrics_bind: "127.0.0.1:0",
    companion_workers: [{ name: "sleep", command: ["sleep", "3600"], numprocs: COUNT, startsecs: 0, stop_timeout: 10 }],
  }),
);
const proc = Bun.spawn(["sh", "-c", 'exec "$0" master -c "$1" >"$2" 2>&1', BINARY, config, log], { cwd: tmp.dir, env: { ...process.env, TMPDIR: tmp.dir } });
try {
  const logged = () => (existsSync(log) ? /metrics at (http:\/\/\S+\/metrics)/.exec(readFileSync(log, "utf8"))?.[1] : undefined);
  const url = await until(logged, "the metrics address in the log");
  const running = async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => ({}))) as { companions?: Array<{ state: string }> }).companions ?? [];
  await until(async () => (await running()).filter((c) => c.state === "RUNNING").length === COUNT, `all ${COUNT} RUNNING`, 300_000);
  const manager = Number(Bun.spawnSync(["pgrep", "-P", String(proc.pid), "-f", "manager"]).stdout.toString().trim().split("\n")[0]);
  let text = await (await fetch(url)).text();
  const times: number[] = [];
  const cpuBefore = cpuSeconds(manager);
  for (let i = 0; i < SCRAPES; i++) {
    const started = performance.now();
    text = await (await fetch(url)).text();
    times.push(performance.now() - started);
  }
  const cpuPerScrapeMs = ((cpuSeconds(manager) - cpuBefore) * 1000) / SCRAPES;
  const counted = [...text.matchAll(/^companion_processes\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  const hostProcesses = Bun.spawnSync(["sh", "-c", "ls /proc | grep -c '^[0-9]'"]).stdout.toString().trim();
  let promtool = "not installed";
  if (Bun.which("promtool") !== null) {
    const check = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(text) });
    promtool = check.exitCode === 0 ? "passes" : `fails: ${check.stdout.toString()}${check.stderr.toString()}`;
  }
  report(
    "metrics",
    `# One scrape of /metrics with ${COUNT} companions

\`bun bench/metrics.ts --count ${COUNT} --scrapes ${SCRAPES}\` (compiled binary; ${machineDetails()})

| | |
|---|---|
| companions running (processes counted in their groups) | ${COUNT} (${counted}) |
| processes on the host (all read by each scrape) | ${hostProcesses} |
| scrape time p50 | ${percentile(times, 50).toFixed(1)} ms |
| scrape time p99 | ${percentile(times, 99).toFixed(1)} ms |
| manager CPU per scrape | ${cpuPerScrapeMs.toFixed(1)} ms |
| size of the text | ${(text.length / 1024).toFixed(0)} KiB, ${text.split("\n").length} lines |
| promtool check metrics | ${promtool} |
`,
  );
} finally {
  await stopProcess(proc, "SIGTERM", 60_000);
  tmp.cleanup();
}
