/** gunicorn-companion (the compiled binary) as a system under benchmark. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "../../test/helpers/master.ts";
import { BINARY, ROOT, until } from "../lib.ts";

export const PROGRAMS = join(ROOT, "bench/fixtures/programs.mjs");

/** A running master with companions. */
export interface Ours {
  socket: string;
  masterPid: number;
  managerPid(): number;
  companionPids(): Promise<number[]>;
  statusArgv: string[];
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals): void;
}

/** Starts the master with `count` companions running `program`; waits for them unless `wait` is false. */
export async function startOurs(
  dir: string,
  count: number,
  program: "idle" | "crash",
  options: { restartDelay?: number; env?: Record<string, string>; wait?: boolean } = {},
): Promise<Ours> {
  const socket = join(dir, "gc.sock");
  const config = join(dir, "gunicorn.conf.json");
  writeFileSync(
    config,
    JSON.stringify({
      companion_control_socket: socket,
      companion_startsecs: 0,
      companion_restart_delay: options.restartDelay ?? 5,
      companion_stop_timeout: 10,
      loglevel: "warning",
      companion_workers: Array.from({ length: count }, (_, i) => ({ name: `p${i + 1}`, target: `${PROGRAMS}:${program}`, env: options.env ?? {} })),
    }),
  );
  const proc = Bun.spawn([BINARY, "master", "-c", config], { cwd: dir, env: { ...process.env, TMPDIR: dir }, stdout: "ignore", stderr: "ignore" });
  const status = async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => ({ companions: [] }))).companions ?? []) as Array<{ state: string; pid: number | null }>;
  if (options.wait !== false) await until(async () => (await status()).filter((c) => c.state === "RUNNING").length === count, `${count} companions RUNNING`, 60_000);
  return {
    socket,
    masterPid: proc.pid,
    managerPid: () => {
      const children = Bun.spawnSync(["pgrep", "-P", String(proc.pid)]).stdout.toString().trim().split("\n").map(Number);
      return children[0] ?? 0;
    },
    companionPids: async () => (await status()).map((c) => c.pid).filter((p): p is number => p !== null),
    statusArgv: [BINARY, "-s", socket, "status"],
    exited: proc.exited.then(() => proc.exitCode ?? -1),
    stop: (signal = "SIGTERM") => proc.kill(signal),
  };
}

