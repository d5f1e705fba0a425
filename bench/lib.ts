/**
 * Shared pieces of the benchmarks: machine details, median/percentiles,
 * hyperfine runs, peak memory through GNU time, starting and stopping the
 * systems under test by pid.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "..");
/** The host's compiled binary. */
export const BINARY = join(ROOT, "dist", `gunicorn-companion-${process.platform}-${process.arch === "arm64" ? "arm64" : "x64"}`);
export const BUN = join(ROOT, "node_modules/.bin/bun");
export const DENO = join(ROOT, "node_modules/.bin/deno");
export const NODE_BUNDLE = join(ROOT, "dist/node/cli.mjs");
export const ENTRY = join(ROOT, "src/cli/main.ts");

/** `hostname, CPU model × cores, RAM, kernel, date`, for the table's caption. */
export function machineDetails(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const kernel = readFileSync("/proc/version", "utf8").split(" ")[2] ?? "?";
  const versions = Bun.spawnSync(["node", "--version"]).stdout.toString().trim();
  return `${new Date().toISOString().slice(0, 10)}, ${cpu} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${kernel}, bun ${Bun.version}, node ${versions}`;
}

/** A temp dir removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` is truthy or throws after `ms`. */
export async function until<T>(check: () => T | Promise<T>, what: string, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Percentile of sorted-or-not numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** The median. */
export const median = (values: readonly number[]) => percentile(values, 50);

/** Wall-time samples (ms) of a command, from hyperfine when present, else timed runs. */
export function timeCommand(argv: string[], runs: number, env: Record<string, string> = {}): number[] {
  const hyperfine = Bun.which("hyperfine");
  if (hyperfine !== null) {
    const out = join(tmpdir(), `hyperfine-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
    const quoted = argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
    const result = Bun.spawnSync([hyperfine, "-N", "--warmup", "3", "--runs", String(runs), "--export-json", out, quoted], {
      env: { ...process.env, ...env },
      stdout: "ignore",
      stderr: "pipe",
    });
    if (result.exitCode !== 0) throw new Error(`hyperfine failed for ${argv.join(" ")}: ${result.stderr.toString()}`);
    const times = (JSON.parse(readFileSync(out, "utf8")) as { results: Array<{ times: number[] }> }).results[0]?.times ?? [];
    rmSync(out, { force: true });
    return times.map((t) => t * 1000);
  }
  const samples: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const started = performance.now();
    Bun.spawnSync(argv, { env: { ...process.env, ...env }, stdout: "ignore", stderr: "ignore" });
    if (i >= 3) samples.push(performance.now() - started);
  }
  return samples;
}

/** Peak RSS (MiB) of a command: the median of `runs` runs under GNU time. */
export function peakRssMiB(argv: string[], runs = 5, env: Record<string, string> = {}): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const result = Bun.spawnSync(["/usr/bin/time", "-f", "%M", ...argv], { env: { ...process.env, ...env }, stdout: "ignore", stderr: "pipe" });
    const kib = Number(result.stderr.toString().trim().split("\n").at(-1));
    if (Number.isFinite(kib)) samples.push(kib / 1024);
  }
  return median(samples);
}

/** Writes `text` to bench/results/<name>.md and prints it. */
export function report(name: string, text: string): void {
  const path = join(ROOT, "bench/results", `${name}.md`);
  Bun.spawnSync(["mkdir", "-p", join(ROOT, "bench/results")]);
  writeFileSync(path, text);
  console.log(text);
  console.log(`(written to ${path})`);
}

/** Fails early with a clear message when the build is missing. */
export function requireBuild(): void {
  for (const path of [BINARY, NODE_BUNDLE]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build first`);
  }
}

/** Sends a signal and waits for the process to be gone (SIGKILL after `ms`). */
export async function stopProcess(proc: { pid: number; exited: Promise<unknown> }, signal: NodeJS.Signals = "SIGTERM", ms = 15_000): Promise<void> {
  try {
    process.kill(proc.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(proc.pid, "SIGKILL");
    } catch {
      // gone
    }
  }, ms);
  await proc.exited;
  clearTimeout(timer);
}
