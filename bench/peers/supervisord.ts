/**
 * A private supervisord (Debian's `supervisor` package) for side-by-side
 * figures: its own config, socket and logs in a temp dir, never the system
 * service. Started and stopped by pid.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { until } from "../lib.ts";

/** A running supervisord and how to talk to it. */
export interface Supervisord {
  pid: number;
  config: string;
  ctl: string[];
  stop(): Promise<void>;
}

/** Whether supervisord and supervisorctl are installed. */
export function hasSupervisord(): boolean {
  return Bun.which("supervisord") !== null && Bun.which("supervisorctl") !== null;
}

/** Starts supervisord with `programs` (name -> command) and waits until all are RUNNING. */
export async function startSupervisord(dir: string, programs: Record<string, string>, extra = "startsecs=0", wait = true): Promise<Supervisord> {
  const config = join(dir, "supervisord.conf");
  const socket = join(dir, "supervisor.sock");
  const sections = Object.entries(programs).map(
    // `extra` may name its own log files; else output is discarded.
    ([name, command]) =>
      `[program:${name}]\ncommand=${command}\n${extra}\nautorestart=true\n${extra.includes("stdout_logfile=") ? "" : "stdout_logfile=NONE\nstderr_logfile=NONE\n"}`,
  );
  writeFileSync(
    config,
    [
      `[unix_http_server]\nfile=${socket}\n`,
      `[supervisord]\nnodaemon=true\nlogfile=${join(dir, "supervisord.log")}\npidfile=${join(dir, "supervisord.pid")}\nchildlogdir=${dir}\nloglevel=warn\n`,
      "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
      `[supervisorctl]\nserverurl=unix://${socket}\n`,
      ...sections,
    ].join("\n"),
  );
  const proc = Bun.spawn(["supervisord", "-c", config], { stdout: "ignore", stderr: "ignore" });
  const ctl = ["supervisorctl", "-c", config];
  await until(() => existsSync(socket), "supervisord's socket");
  const count = Object.keys(programs).length;
  if (wait) await until(() => {
    const out = Bun.spawnSync([...ctl, "status"]).stdout.toString();
    return out.split("\n").filter((line) => line.includes("RUNNING")).length === count;
  }, "supervisord's programs to run", 60_000);
  return {
    pid: proc.pid,
    config,
    ctl,
    async stop() {
      try {
        process.kill(proc.pid, "SIGTERM");
      } catch {
        return;
      }
      await proc.exited;
    },
  };
}
