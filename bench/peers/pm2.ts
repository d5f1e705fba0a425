/**
 * PM2 for side-by-side figures: installed by bench/setup into bench/.peers
 * (never globally), run with its own PM2_HOME in a temp dir, stopped with
 * `pm2 kill`. Skipped when not installed.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, until } from "../lib.ts";

export const PM2_BIN = join(ROOT, "bench/.peers/node_modules/pm2/bin/pm2");

/** Whether bench/setup installed PM2. */
export function hasPm2(): boolean {
  return existsSync(PM2_BIN);
}

/** A running PM2 daemon. */
export interface Pm2 {
  home: string;
  cli(...args: string[]): string[];
  daemonPid(): number;
  appPids(): number[];
  kill(): Promise<void>;
}

/** Starts PM2's daemon with `apps` (name -> script args) and waits until they are online (unless `wait` is false). */
export async function startPm2(dir: string, apps: Record<string, string[]>, extra: Record<string, unknown> = {}, wait = true): Promise<Pm2> {
  const home = join(dir, "pm2-home");
  const ecosystem = join(dir, "ecosystem.json");
  writeFileSync(
    ecosystem,
    JSON.stringify({
      apps: Object.entries(apps).map(([name, args]) => ({ name, script: args[0], args: args.slice(1), autorestart: true, ...extra })),
    }),
  );
  // PM2_NODE picks the Node that runs PM2 (and so its cluster workers).
  const cli = (...args: string[]) => [process.env.PM2_NODE ?? "node", PM2_BIN, ...args];
  const env = { ...process.env, PM2_HOME: home };
  Bun.spawnSync(cli("start", ecosystem), { env, stdout: "ignore", stderr: "ignore" });
  const jlist = () => JSON.parse(Bun.spawnSync(cli("jlist"), { env }).stdout.toString() || "[]") as Array<{ pid: number; pm2_env: { status: string } }>;
  const count = Object.keys(apps).length;
  if (wait) await until(() => jlist().filter((a) => a.pm2_env.status === "online").length === count, "PM2 apps online", 60_000);
  return {
    home,
    cli,
    daemonPid: () => Number(readFileSync(join(home, "pm2.pid"), "utf8")),
    appPids: () => jlist().map((a) => a.pid).filter((p) => p > 0),
    async kill() {
      let daemon = 0;
      try {
        daemon = Number(readFileSync(join(home, "pm2.pid"), "utf8"));
      } catch {
        // not started
      }
      Bun.spawnSync(cli("kill"), { env, stdout: "ignore", stderr: "ignore" });
      // Never leave a daemon behind: `pm2 kill` should have stopped it; make sure.
      if (daemon > 0) {
        try {
          process.kill(daemon, "SIGKILL");
        } catch {
          // gone, as it should be
        }
      }
    },
  };
}
