/**
 * Starts a real master through a launcher, in a temp dir of its own, and
 * talks to it the way a user does: the control socket, signals, the CLI.
 * Everything it started is killed by pid afterwards.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import type { CompanionStatus } from "../../src/control/protocol.ts";
import type { Launcher } from "./launchers.ts";
import { ROOT } from "./launchers.ts";
import { isAlive, killEverythingUnder, killTree, sleep, waitFor } from "./processes.ts";
import { makeTempDir } from "./temp.ts";

/** The companion fixtures, as a target module path. */
export const FIXTURES = join(ROOT, "test/fixtures/companions.mjs");

/** A companion spec using a fixture export. */
export function fixture(name: string, exportName = "run", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, target: `${FIXTURES}:${exportName}`, ...extra };
}

/** Fast defaults for tests: fractional durations, never whole seconds of waiting. */
export const FAST = {
  companion_startsecs: 0.1,
  companion_restart_delay: 0.1,
  companion_stop_timeout: 1,
  companion_reload_timeout: 1,
  companion_manager_shutdown_buffer: 2,
};

/** What a CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running master under test. */
export interface MasterRun {
  readonly launcher: Launcher;
  readonly pid: number;
  readonly dir: string;
  readonly socket: string;
  readonly configFile: string;
  readonly exited: Promise<number | null>;
  output(): string;
  /** One request on a fresh connection. */
  request(request: unknown): Promise<Record<string, unknown>>;
  status(): Promise<CompanionStatus[]>;
  statusOf(name: string): Promise<CompanionStatus>;
  /** Polls status until every named companion is in its state; returns the statuses. */
  waitStates(states: Record<string, string>, timeoutMs?: number): Promise<Record<string, CompanionStatus>>;
  /** Waits until the master's output (companions' inherited stdout included) matches. */
  waitOutput(pattern: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Waits for the fixture's "READY <name> <pid>" line (its signal handlers are in place); returns the pid. */
  waitReady(name: string, pid?: number | null): Promise<number>;
  /** Runs the CLI (same launcher) with these arguments. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  signal(signal: NodeJS.Signals): void;
  /** The manager's pid (the master's child), or null. */
  managerPid(): number | null;
  /** Pids of the master's live HTTP workers. */
  workerPids(): number[];
  /** Pids the fixtures recorded (companions and their children), with what they were. */
  fixturePids(): Array<{ pid: number; what: string }>;
  /** Rewrites the config file (same format as at start). */
  writeConfig(config: Record<string, unknown>): void;
}

/** Options of `startMaster`. */
export interface StartOptions {
  config: Record<string, unknown>;
  /** Config file format: json (default), mjs or ts. */
  format?: "json" | "mjs" | "ts";
  args?: string[];
  env?: Record<string, string>;
  /** Files to write into the run's directory before the master starts (name -> content). */
  files?: Record<string, string>;
  /** Wait until this URL answers instead of the control socket (an app is served). */
  waitHttp?: string;
  /** Wait until the control socket answers (default true). */
  waitReady?: boolean;
}

function configText(config: Record<string, unknown>, format: "json" | "mjs" | "ts"): string {
  if (format === "json") return JSON.stringify(config, null, 2);
  return `export default ${JSON.stringify(config, null, 2)}${format === "ts" ? " as const" : ""};\n`;
}

/** Sends one NDJSON request on a fresh unix socket connection. */
export function rawRequest(socket: string, request: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const conn = createConnection({ path: socket });
    let buffer = "";
    conn.on("data", (chunk) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf("\n");
      if (newline >= 0) {
        conn.destroy();
        resolve(JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>);
      }
    });
    conn.on("error", reject);
    conn.on("close", () => reject(new Error(`connection closed without a reply (${buffer})`)));
    conn.write(`${typeof request === "string" ? request : JSON.stringify(request)}\n`);
  });
}

/** Runs the CLI through a launcher. */
export async function runCli(launcher: Launcher, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const proc = Bun.spawn([...launcher.command, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const liveRuns = new Set<{ cleanup(): void }>();

/** Cleans up every run still alive (a test that timed out never reached its own cleanup). */
export function cleanupAllRuns(): void {
  for (const run of [...liveRuns]) run.cleanup();
}

/** Live children of `parent` whose command line has the role word (`manager`, `worker`). */
export function childrenOf(parent: number, role: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[1] === String(parent) && fields[0] !== "Z" && readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes(role)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids.sort((a, b) => a - b);
}

/** Starts a master with `config` (the control socket is added) and waits until it answers. */
export async function startMaster(launcher: Launcher, options: StartOptions): Promise<MasterRun & { cleanup(): void }> {
  const tmp = makeTempDir("gce");
  const socket = typeof options.config.companion_control_socket === "string" ? options.config.companion_control_socket : join(tmp.dir, "c.sock");
  const format = options.format ?? "json";
  const configFile = join(tmp.dir, `gunicorn.conf.${format}`);
  const baseConfig = { companion_control_socket: socket, ...options.config };
  for (const [name, content] of Object.entries(options.files ?? {})) tmp.file(name, content);
  writeFileSync(configFile, configText(baseConfig, format));
  const logFile = join(tmp.dir, "master.log");
  const logFd = openSync(logFile, "a");
  const env = { ...process.env, TMPDIR: tmp.dir, FIXTURE_DIR: tmp.dir, ...options.env } as Record<string, string>;
  const proc = Bun.spawn([...launcher.command, "master", "-c", configFile, ...(options.args ?? [])], {
    cwd: tmp.dir,
    env,
    stdin: "ignore",
    stdout: logFd,
    stderr: logFd,
    // Its own process group, so cleanup can reach the master and the manager at once.
    detached: true,
  });
  closeSync(logFd);
  const exited = proc.exited.then(() => proc.exitCode);

  const run: MasterRun & { cleanup(): void } = {
    launcher,
    pid: proc.pid,
    dir: tmp.dir,
    socket,
    configFile,
    exited,
    output: () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : ""),
    request: (request) => rawRequest(socket, request),
    async status() {
      const reply = await rawRequest(socket, { cmd: "status" });
      if (reply.ok !== true) throw new Error(`status failed: ${JSON.stringify(reply)}`);
      return reply.companions as CompanionStatus[];
    },
    async statusOf(name) {
      const found = (await run.status()).find((c) => c.name === name);
      if (found === undefined) throw new Error(`no companion ${name}`);
      return found;
    },
    async waitStates(states, timeoutMs = 15_000) {
      let last: CompanionStatus[] = [];
      return waitFor(
        async () => {
          last = await run.status().catch(() => []);
          const byName = Object.fromEntries(last.map((c) => [c.name, c]));
          return Object.entries(states).every(([name, state]) => byName[name]?.state === state) ? byName : null;
        },
        () => `states ${JSON.stringify(states)}; last status: ${JSON.stringify(last.map((c) => [c.name, c.state, c.description]))}\n--- master log ---\n${run.output()}`,
        timeoutMs,
      );
    },
    async waitOutput(pattern, timeoutMs = 15_000) {
      const matches = (text: string) => (typeof pattern === "string" ? text.includes(pattern) : pattern.test(text));
      await waitFor(() => matches(run.output()), () => `output ${String(pattern)}\n--- master log ---\n${run.output()}`, timeoutMs);
      return run.output();
    },
    async waitReady(name, pid) {
      const pattern = new RegExp(`READY ${name} ${pid ?? "(\\d+)"}`);
      await run.waitOutput(pattern);
      return pid ?? Number(pattern.exec(run.output())?.[1]);
    },
    cli: (args, extraEnv = {}) => runCli(launcher, args, { cwd: tmp.dir, env: { ...env, ...extraEnv } }),
    signal(signal) {
      process.kill(proc.pid, signal);
    },
    managerPid: () => childrenOf(proc.pid, "manager")[0] ?? null,
    workerPids: () => childrenOf(proc.pid, "worker"),
    fixturePids() {
      const dir = join(tmp.dir, "pids");
      if (!existsSync(dir)) return [];
      return readdirSync(dir).map((name) => ({ pid: Number(name), what: readFileSync(join(dir, name), "utf8") }));
    },
    writeConfig(config) {
      writeFileSync(configFile, configText({ companion_control_socket: socket, ...config }, format));
    },
    cleanup() {
      liveRuns.delete(run);
      const manager = run.managerPid();
      killTree([proc.pid, ...(manager === null ? [] : [manager]), ...run.workerPids(), ...run.fixturePids().map((p) => p.pid)]);
      killEverythingUnder(tmp.dir);
      tmp.cleanup();
    },
  };
  liveRuns.add(run);
  if (options.waitReady !== false && options.waitHttp !== undefined) {
    const url = options.waitHttp;
    await waitFor(
      async () => (await fetch(url).then((r) => r.ok).catch(() => false)) || !isAlive(proc.pid),
      () => `the app never answered at ${url}\n--- master log ---\n${run.output()}`,
      20_000,
    );
    if (!isAlive(proc.pid)) throw new Error(`the master exited at start\n${run.output()}`);
  } else if (options.waitReady !== false) {
    await waitFor(
      async () => (await rawRequest(socket, { cmd: "status" }).catch(() => null)) !== null || !isAlive(proc.pid),
      () => `the control socket never answered\n--- master log ---\n${run.output()}`,
      20_000,
    );
    if (!isAlive(proc.pid)) throw new Error(`the master exited at start\n${run.output()}`);
  }
  return run;
}

/** Runs `body` with a master and always cleans up, even when the test fails. */
export async function withMaster(launcher: Launcher, options: StartOptions, body: (run: MasterRun) => Promise<void>): Promise<void> {
  const run = await startMaster(launcher, options);
  try {
    await body(run);
  } finally {
    run.cleanup();
  }
}

/** Every fixture pid of a run, once all are gone (dead or zombie). */
export async function expectAllGone(run: MasterRun, timeoutMs = 5000): Promise<void> {
  await waitFor(
    () => run.fixturePids().every(({ pid }) => !isAlive(pid)),
    () => `still alive: ${JSON.stringify(run.fixturePids().filter(({ pid }) => isAlive(pid)))}`,
    timeoutMs,
  );
}

export { isAlive, sleep, waitFor };
