/**
 * The manager's output path alone, in one process, under each runtime: a
 * child floods 100 MiB of 100-byte lines into a pipe (`yes | head -c`) and
 * the path the manager uses (src/companion/output.ts) carries it:
 *
 *   bun bench/logs-pipeline.ts MODE
 *   deno run -A bench/logs-pipeline.ts MODE
 *   bun build bench/logs-pipeline.ts --target=node --outfile=.tmp/logs-pipeline.mjs && node .tmp/logs-pipeline.mjs MODE
 *
 * MODE: `raw` (read the pipe, nothing else: the runtime's floor), `file` (to
 * a log file, no rotation), `prefix` (prefixed lines written to /dev/null).
 * Prints MiB/s, this process's CPU per MiB, and the p99 lateness of a 2 ms
 * timer during the flood (how long the event loop was held). No peers, no
 * control socket: bench/logs.ts is the side-by-side run.
 */
import { mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCompanionOutputs } from "../src/companion/output.ts";
import type { CompanionConfig, ResolvedCompanion } from "../src/config/resolve.ts";
import { getRuntime } from "../src/runtime/index.ts";
import { createSystemClock } from "../src/supervise/clock.ts";

const MIB = 1024 * 1024;
const FLOOD = 100 * MIB;
const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const mode = (deno?.args ?? process.argv.slice(2))[0] ?? "file";
if (!["raw", "file", "prefix"].includes(mode)) throw new Error(`MODE is raw, file or prefix, not ${mode}`);

const runtime = await getRuntime();
const dir = mkdtempSync(join(tmpdir(), "logs-pipeline-"));
const devNull = openSync("/dev/null", "w");
const lateness: number[] = [];
let last = performance.now();
const probe = setInterval(() => {
  const now = performance.now();
  lateness.push(now - last - 2);
  last = now;
}, 2);

const cpuBefore = process.cpuUsage();
const started = performance.now();
const child = await runtime.spawn({ argv: ["/bin/sh", "-c", `yes ${"0".repeat(99)} | head -c ${FLOOD}`], stdout: "pipe", stderr: "inherit" });
const source = child.stdout;
if (source === null) throw new Error("no pipe");
if (mode === "raw") {
  while ((await source.read()) !== null);
} else {
  const outputs = createCompanionOutputs({
    write: async (_stream, bytes) => void writeSync(devNull, bytes),
    colour: { stdout: false, stderr: false },
    clock: createSystemClock(),
    warn: (name, message) => console.error(`${name}: ${message}`),
  });
  const spec = { name: "flood", stdout: mode === "file" ? join(dir, "flood.log") : "inherit", stderr: "inherit", stdout_max_bytes: 0, stdout_backups: 0, stderr_max_bytes: 0, stderr_backups: 0 };
  outputs.configure({ log_prefix: true, log_buffer: 256 * 1024, companions: [spec] } as unknown as CompanionConfig);
  outputs.prepare("flood", spec as unknown as ResolvedCompanion);
  outputs.attach("flood", { stdout: source, stderr: null });
  await child.exited;
  await outputs.close(60_000);
}
await child.exited;
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
clearInterval(probe);
lateness.sort((a, b) => a - b);
const p99 = lateness[Math.floor(lateness.length * 0.99)] ?? 0;
console.log(
  `${runtime.name} ${mode}: ${(FLOOD / MIB / seconds).toFixed(0)} MiB/s, ${((cpu.user + cpu.system) / 1000 / (FLOOD / MIB)).toFixed(2)} ms CPU per MiB, timer lateness p99 ${p99.toFixed(1)} ms`,
);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
