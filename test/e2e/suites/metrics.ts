/**
 * The Prometheus endpoint of docs/metrics.md under real scrapes: values of a
 * running companion and its process group, restarts after a kill, 404 and
 * 405, Prometheus's own parser (promtool) on the output, and a port already
 * taken.
 */
import { expect } from "bun:test";
import { createServer, type Server } from "node:net";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, startMaster, waitFor, withMaster, type MasterRun } from "../../helpers/master.ts";
import { e2e, e2eWithTool } from "../e2e-test.ts";

/** The metrics URL the manager logged (the kernel picked the port). */
async function metricsUrl(run: MasterRun): Promise<string> {
  const pattern = /metrics at (http:\/\/\S+\/metrics)/;
  return pattern.exec(await run.waitOutput(pattern))?.[1] ?? "";
}

/** One sample's value, by metric name and a label subset; null when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return response.text();
}

const CONFIG = { ...FAST, companion_metrics_bind: "127.0.0.1:0" };

export function metricsTests(launcher: Launcher): void {
  e2e("metrics: a running companion's state, process group memory and CPU, and restarts after a kill", async () => {
    await withMaster(launcher, { config: { ...CONFIG, companion_workers: [fixture("tree", "spawnChild"), fixture("w", "run", { numprocs: 2 })] } }, async (run) => {
      const { tree } = await run.waitStates({ tree: "RUNNING", "w:0": "RUNNING", "w:1": "RUNNING" });
      await run.waitReady("tree");
      const url = await metricsUrl(run);
      const text = await scrape(url);
      const of = { companion: "tree" };
      expect(sample(text, "companion_state", { ...of, state: "RUNNING" })).toBe(1);
      expect(sample(text, "companion_state", { ...of, state: "STOPPED" })).toBe(0);
      expect(sample(text, "companion_restarts_total", of)).toBe(0);
      expect(sample(text, "companion_exits_total", of)).toBe(0);
      expect(sample(text, "companion_resident_memory_bytes", of)).toBeGreaterThan(1_000_000);
      // The companion and its grandchild (sleep) share its process group.
      expect(sample(text, "companion_processes", of)).toBe(2);
      expect(sample(text, "companion_cpu_seconds_total", of)).toBeGreaterThan(0);
      expect(sample(text, "companion_uptime_seconds", of)).toBeGreaterThanOrEqual(0);
      expect(sample(text, "companion_last_exit_code", of)).toBeNull();
      // Members of a numprocs group carry its name.
      expect(sample(text, "companion_state", { companion: "w:1", group: "w", state: "RUNNING" })).toBe(1);
      expect(sample(text, "process_resident_memory_bytes", {})).toBeGreaterThan(1_000_000);
      expect(sample(text, "process_cpu_seconds_total", {})).toBeGreaterThan(0);

      process.kill(tree?.pid ?? -1, "SIGKILL");
      await waitFor(async () => {
        const now = await run.statusOf("tree");
        return now.state === "RUNNING" && now.pid !== null && now.pid !== tree?.pid;
      }, "tree restarted");
      const after = await scrape(url);
      expect(sample(after, "companion_restarts_total", of)).toBe(1);
      expect(sample(after, "companion_exits_total", of)).toBe(1);
      expect(sample(after, "companion_last_exit_code", of)).toBe(137);
      expect(sample(after, "companion_state", { ...of, state: "RUNNING" })).toBe(1);
    });
  });

  e2e("metrics: only GET /metrics answers", async () => {
    await withMaster(launcher, { config: { ...CONFIG, companion_workers: [fixture("a")] } }, async (run) => {
      const url = await metricsUrl(run);
      expect((await fetch(url.replace(/\/metrics$/, "/"))).status).toBe(404);
      expect((await fetch(`${url}/more`)).status).toBe(404);
      const post = await fetch(url, { method: "POST", body: "x" });
      expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
    });
  });

  e2eWithTool(
    "promtool",
    "metrics: promtool check metrics accepts the output",
    async () => {
      await withMaster(launcher, { config: { ...CONFIG, companion_workers: [fixture("a"), fixture("b", "crash", { startsecs: 5 })] } }, async (run) => {
        await run.waitStates({ a: "RUNNING" });
        // Some exits behind it, so that every family has samples.
        await waitFor(async () => (await run.statusOf("b")).exit_count > 0, "b exited once");
        const text = await scrape(await metricsUrl(run));
        expect(text).toContain("companion_last_exit_code{");
        const proc = Bun.spawn(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(text), stdout: "pipe", stderr: "pipe" });
        const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
        expect({ code, out, err }).toEqual({ code: 0, out: "", err: "" });
      });
    },
    "prometheus",
  );

  e2e("metrics: a port already taken stops the start with the address and the reason", async () => {
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, "127.0.0.1", () => resolve((holder.address() as { port: number }).port)));
    try {
      const run = await startMaster(launcher, { config: { ...FAST, companion_metrics_bind: `127.0.0.1:${port}`, companion_workers: [fixture("a")] }, waitReady: false });
      try {
        const code = await run.exited;
        expect(code).not.toBe(0);
        expect(run.output()).toContain(`cannot serve metrics on 127.0.0.1:${port} (companion_metrics_bind): address already in use`);
        // Nothing was started behind the failed bind.
        expect(run.output()).not.toContain("READY a");
        expect(run.fixturePids().filter(({ pid }) => isAlive(pid))).toEqual([]);
      } finally {
        run.cleanup();
      }
    } finally {
      holder.close();
    }
  });
}
