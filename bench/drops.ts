/**
 * bench/drops: requests that fail, for a client that never retries, while the
 * master reloads (HUP), recycles (max_requests), scales down (TTOU) and
 * replaces a worker after `timeout`. Each launcher, each client mode: a fresh
 * connection per request, and keep-alive. Prints the net.ipv4.tcp_migrate_req
 * value it ran with, which decides the SO_REUSEPORT runtimes' (Bun, Deno) fate.
 *
 * Usage: bun bench/drops.ts [--launchers bun,deno,node,binary] [--hups 10] [--clients 4]
 */
import { readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { LAUNCHERS, ROOT, type Launcher } from "../test/helpers/launchers.ts";
import { startMaster, waitFor, type MasterRun } from "../test/helpers/master.ts";
import { freePort } from "../test/helpers/ports.ts";
import { startLoad, type LoadResults } from "../test/helpers/http-load.ts";
import { machineDetails, report } from "./lib.ts";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const launchers = arg("--launchers", "bun,deno,node,binary").split(",") as Array<Launcher["name"]>;
const hups = Number(arg("--hups", "10"));
const clients = Number(arg("--clients", "4"));
const APP = join(ROOT, "test/fixtures/app.mjs");
const modes = ["fresh", "keep-alive"] as const;

type Scenario = { name: string; config: Record<string, unknown>; drive(run: MasterRun, base: string): Promise<void> };

const allNew = (run: MasterRun, before: number[], count: number) => () => {
  const now = run.workerPids();
  return now.length === count && now.every((pid) => !before.includes(pid));
};

const scenarios: Scenario[] = [
  {
    name: `${hups} HUPs`,
    config: { workers: 2 },
    async drive(run) {
      for (let i = 0; i < hups; i++) {
        const before = run.workerPids();
        run.signal("SIGHUP");
        await waitFor(allNew(run, before, 2), `reload ${i + 1}`, 20_000);
      }
    },
  },
  {
    name: "max_requests 200 for 4 s",
    config: { workers: 2, max_requests: 200, max_requests_jitter: 50 },
    drive: () => new Promise((resolve) => setTimeout(resolve, 4000)),
  },
  {
    name: "3 × (TTIN, TTOU)",
    config: { workers: 2 },
    async drive(run) {
      for (let i = 0; i < 3; i++) {
        run.signal("SIGTTIN");
        await waitFor(() => run.workerPids().length === 3, "3 workers");
        await new Promise((resolve) => setTimeout(resolve, 300));
        run.signal("SIGTTOU");
        await waitFor(() => run.workerPids().length === 2, "2 workers");
      }
    },
  },
  {
    name: "a worker blocked past timeout",
    config: { workers: 2, timeout: 1 },
    async drive(run, base) {
      const before = run.workerPids();
      // The blocked request itself is lost with its worker; it is not counted.
      const url = new URL(base);
      const socket = createConnection({ host: url.hostname, port: Number(url.port) });
      socket.on("error", () => {});
      socket.write(`GET /block HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
      await waitFor(() => run.workerPids().length === 2 && run.workerPids().some((pid) => !before.includes(pid)), "the replacement", 20_000);
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
  },
];

async function measure(launcher: Launcher, scenario: Scenario, mode: (typeof modes)[number]): Promise<LoadResults & { seconds: number }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const run = await startMaster(launcher, { config: { bind: [`127.0.0.1:${port}`], loglevel: "warning", ...scenario.config }, args: [APP], waitHttp: `${base}/` });
  try {
    await waitFor(() => run.workerPids().length === 2, "2 workers");
    const load = startLoad(base, mode, clients);
    const started = performance.now();
    await scenario.drive(run, base);
    const results = await load.stop();
    return { ...results, seconds: (performance.now() - started) / 1000 };
  } finally {
    run.cleanup();
  }
}

let migrate = "?";
try {
  migrate = readFileSync("/proc/sys/net/ipv4/tcp_migrate_req", "utf8").trim();
} catch {
  // not Linux 5.14+
}
const lines = [
  `### Failed requests (client never retries), ${clients} clients, workers: 2, net.ipv4.tcp_migrate_req=${migrate}`,
  "",
  machineDetails(),
  "",
  "| launcher | event | client | requests | failed | first error |",
  "| --- | --- | --- | ---: | ---: | --- |",
];
for (const name of launchers) {
  const launcher = LAUNCHERS[name];
  if (launcher.unavailable !== null) {
    console.log(`skipping ${name}: ${launcher.unavailable}`);
    continue;
  }
  for (const scenario of scenarios) {
    for (const mode of modes) {
      const r = await measure(launcher, scenario, mode);
      const line = `| ${name} | ${scenario.name} | ${mode} | ${r.ok + r.failed} | ${r.failed} | ${r.errors[0] ?? ""} |`;
      console.log(line);
      lines.push(line);
    }
  }
}
lines.push("", "Reproduce: `bun bench/drops.ts` (after `npm run build`).");
report("drops", `${lines.join("\n")}\n`);
