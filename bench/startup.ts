/**
 * bench/startup: wall time and peak memory of `--version` and of `status`
 * against a running manager with 10 companions, for the compiled binary, bun,
 * deno and node, side by side with `supervisorctl status` (supervisord with 10
 * programs) in the same run.
 *
 * Usage: bun bench/startup.ts [--runs 30]      (needs `npm run build`; hyperfine and supervisor from Debian)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasSupervisord, startSupervisord } from "./peers/supervisord.ts";
import { BINARY, BUN, DENO, ENTRY, NODE_BUNDLE, ROOT, machineDetails, median, peakRssMiB, percentile, report, requireBuild, stopProcess, tempDir, timeCommand, until } from "./lib.ts";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] ?? 30) || 30;
const COMPANIONS = 10;

requireBuild();
const tmp = tempDir("gc-bench-startup");
const socket = join(tmp.dir, "c.sock");
const target = join(tmp.dir, "idle.mjs");
writeFileSync(target, "export function run() { setInterval(() => {}, 1 << 30); }\n");
const config = join(tmp.dir, "gunicorn.conf.json");
writeFileSync(
  config,
  JSON.stringify({
    companion_control_socket: socket,
    companion_startsecs: 0.1,
    companion_workers: Array.from({ length: COMPANIONS }, (_, i) => ({ name: `idle-${i + 1}`, target: `${target}:run` })),
  }),
);

const master = Bun.spawn([BINARY, "master", "-c", config], { cwd: tmp.dir, stdout: "ignore", stderr: "ignore" });
const supervisor = hasSupervisord()
  ? await startSupervisord(tmp.dir, Object.fromEntries(Array.from({ length: COMPANIONS }, (_, i) => [`idle-${i + 1}`, "sleep 100000"])))
  : null;
try {
  await until(() => {
    const out = Bun.spawnSync([BINARY, "-s", socket, "status"]).stdout.toString();
    return out.split("\n").filter((line) => line.includes("RUNNING")).length === COMPANIONS;
  }, "10 companions RUNNING");

  const denoCtl = [DENO, "run", "--allow-read", "--allow-write", "--allow-env", "--allow-net", ENTRY];
  const rows: Array<{ label: string; argv: string[] }> = [
    { label: "binary `--version`", argv: [BINARY, "--version"] },
    { label: "binary `status`", argv: [BINARY, "-s", socket, "status"] },
    { label: "bun `--version`", argv: [BUN, ENTRY, "--version"] },
    { label: "bun `status`", argv: [BUN, ENTRY, "-s", socket, "status"] },
    { label: "deno `--version`", argv: [...denoCtl, "--version"] },
    { label: "deno `status`", argv: [...denoCtl, "-s", socket, "status"] },
    { label: "node `--version`", argv: ["node", NODE_BUNDLE, "--version"] },
    { label: "node `status`", argv: ["node", NODE_BUNDLE, "-s", socket, "status"] },
  ];
  if (supervisor !== null) {
    rows.push({ label: "supervisorctl `version`", argv: [...supervisor.ctl, "version"] });
    rows.push({ label: "supervisorctl `status`", argv: [...supervisor.ctl, "status"] });
  }
  // Alternate the systems run by run: each row is measured in turns, so drift on the machine hits all alike.
  const samples = new Map<string, number[]>(rows.map((row) => [row.label, []]));
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) samples.get(row.label)?.push(...timeCommand(row.argv, Math.ceil(runs / rounds)));
  }
  const supervisorctl = samples.get("supervisorctl `status`");
  const baseline = supervisorctl === undefined ? null : median(supervisorctl);
  const lines = [
    `### Start-up and status (${COMPANIONS} companions), ${runs} runs each`,
    "",
    `${machineDetails()}`,
    "",
    "| command | median | p90 | peak RSS | vs `supervisorctl status` |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    const times = samples.get(row.label) ?? [];
    const rss = peakRssMiB(row.argv);
    const ratio = baseline === null ? "n/a" : `${(median(times) / baseline).toFixed(3)}×`;
    lines.push(`| ${row.label} | ${median(times).toFixed(1)} ms | ${percentile(times, 90).toFixed(1)} ms | ${rss.toFixed(1)} MiB | ${ratio} |`);
  }
  if (baseline === null) lines.push("", "supervisord is not installed (apt-get install supervisor): no peer figures.");
  lines.push("", `Measured with ${Bun.which("hyperfine") ? "hyperfine -N --warmup 3" : "timed runs"}; peak RSS is GNU time's %M, median of 5 runs. Reproduce: \`bun bench/startup.ts\` (after \`npm run build\`).`);
  report("startup", `${lines.join("\n")}\n`);
} finally {
  await stopProcess(master);
  await supervisor?.stop();
  tmp.cleanup();
  void ROOT;
}
