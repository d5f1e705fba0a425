/**
 * No request lost, for clients that never retry (a connection per request, and
 * keep-alive), through the events that replace workers: HUPs, max_requests
 * recycling, TTIN/TTOU. Needs the workers to share one listening socket
 * (docs/behaviour.md, "What was tried against the resets").
 */
import { expect } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConnection } from "node:net";
import { ROOT, type Launcher } from "../../helpers/launchers.ts";
import { startLoad, type LoadResults } from "../../helpers/http-load.ts";
import { FAST, waitFor, withMaster } from "../../helpers/master.ts";
import { makeTempDir } from "../../helpers/temp.ts";
import { e2e } from "../e2e-test.ts";
import { withApp } from "./http.ts";

const modes = ["keep-alive", "fresh"] as const;

/** Runs both kinds of client through `events`; expects no failure and some answers from each. */
async function underLoad(base: string, events: () => Promise<void>): Promise<LoadResults[]> {
  const loads = modes.map((mode) => startLoad(base, mode, 2));
  await events();
  // Some answers from each client kind, however slow the machine: the load ran through the events.
  await waitFor(() => loads.every((load) => load.results.ok > 50), "50 answers for each kind of client", 30_000);
  const all: LoadResults[] = [];
  for (const [i, load] of loads.entries()) {
    const results = await load.stop();
    expect({ mode: modes[i], failed: results.failed, errors: results.errors }).toEqual({ mode: modes[i], failed: 0, errors: [] });
    expect(results.ok).toBeGreaterThan(50);
    all.push(results);
  }
  return all;
}

/** Ten HUPs under both kinds of client: none fails, and the new code answers afterwards. */
export async function tenHupsUnderLoad(launcher: Launcher): Promise<void> {
  const tmp = makeTempDir("gcreload");
  const app = tmp.file("app.mjs", 'export default () => new Response("v1");\n');
  try {
    await withApp(
      launcher,
      { workers: 2, graceful_timeout: 5 },
      async (run, base) => {
        const workers = () => run.workerPids();
        const results = await underLoad(base, async () => {
          for (let round = 1; round <= 10; round++) {
            const before = workers();
            writeFileSync(app, `export default () => new Response("v${round + 1}");\n`);
            run.signal("SIGHUP");
            await waitFor(() => workers().length === 2 && workers().every((pid) => !before.includes(pid)), `reload ${round}`, 20_000);
          }
          await waitFor(async () => (await fetch(`${base}/`, { headers: { connection: "close" } }).then((r) => r.text())) === "v11", "the new code");
        });
        for (const r of results) expect(r.bodies.has("v11")).toBe(true);
      },
      app,
    );
  } finally {
    tmp.cleanup();
  }
}

/** max_requests recycling, then TTIN/TTOU, under both kinds of client: none fails. */
export async function recyclingUnderLoad(launcher: Launcher): Promise<void> {
  await withApp(launcher, { workers: 2, max_requests: 100, max_requests_jitter: 20 }, async (run, base) => {
    await waitFor(() => run.workerPids().length === 2, "2 workers");
    const first = run.workerPids();
    await underLoad(base, async () => {
      await waitFor(() => run.workerPids().every((pid) => !first.includes(pid)), "both first workers recycled", 30_000);
    });
  });
  await withApp(launcher, { workers: 2 }, async (run, base) => {
    await underLoad(base, async () => {
      for (let i = 0; i < 2; i++) {
        run.signal("SIGTTIN");
        await waitFor(() => run.workerPids().length === 3, "3 workers");
        run.signal("SIGTTOU");
        await waitFor(() => run.workerPids().length === 2, "2 workers");
      }
    });
  });
}

/**
 * A worker whose event loop is blocked for good is replaced after `timeout`:
 * what that worker already held (the blocking request, a keep-alive
 * connection it serves, a connection it accepted in the same turn) is lost
 * with it, at most one request per client connection; every other request is
 * answered, during and after (docs/deploy.md, "Zero-downtime").
 */
export async function blockedWorkerUnderLoad(launcher: Launcher): Promise<void> {
  await withApp(launcher, { workers: 2, timeout: 1 }, async (run, base) => {
    await waitFor(() => run.workerPids().length === 2, "2 workers");
    const clientsPerMode = 2;
    const loads = modes.map((mode) => startLoad(base, mode, clientsPerMode));
    const before = run.workerPids();
    const url = new URL(base);
    const blocker = createConnection({ host: url.hostname, port: Number(url.port) });
    blocker.on("error", () => {});
    blocker.write(`GET /block HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    try {
      await waitFor(() => run.workerPids().length === 2 && run.workerPids().some((pid) => !before.includes(pid)), "the blocked worker replaced", 20_000);
    } finally {
      blocker.destroy();
    }
    const served = loads.map((load) => load.results.ok);
    // Served on after the replacement, by both kinds of client.
    await waitFor(() => loads.every((load, i) => load.results.ok > (served[i] ?? 0) + 50), "50 more answers for each kind of client", 30_000);
    for (const [i, load] of loads.entries()) {
      const results = await load.stop();
      expect({ mode: modes[i], lostAtMostOnePerConnection: results.failed <= clientsPerMode }).toEqual({ mode: modes[i], lostAtMostOnePerConnection: true });
      for (const error of results.errors) expect(error).toMatch(/ECONNRESET|EPIPE|connection closed/);
    }
  });
}

/**
 * A unix bind is one socket every worker serves (the master opens it): both
 * workers answer over it, and three HUPs under load over it fail nothing.
 */
export async function unixBindUnderLoad(launcher: Launcher): Promise<void> {
  const tmp = makeTempDir("gcunix");
  const unix = join(tmp.dir, "h.sock");
  try {
    const config = { ...FAST, workers: 2, graceful_timeout: 5, bind: [`unix:${unix}`] };
    await withMaster(launcher, { config, args: [join(ROOT, "test/fixtures/app.mjs")] }, async (run) => {
      await run.waitOutput(`listening at unix:${unix}`);
      await waitFor(() => run.workerPids().length === 2, "2 workers");
      const base = `unix:${unix}`;
      // Both workers answer on the one socket (each answers its pid).
      const spread = startLoad(base, "fresh", 4);
      await waitFor(() => run.workerPids().every((pid) => spread.results.bodies.has(String(pid))), () => `both workers over the unix socket: ${[...spread.results.bodies.keys()].join(", ")}`, 20_000);
      expect((await spread.stop()).failed).toBe(0);
      await underLoad(base, async () => {
        for (let round = 1; round <= 3; round++) {
          const before = run.workerPids();
          run.signal("SIGHUP");
          await waitFor(() => run.workerPids().length === 2 && run.workerPids().every((pid) => !before.includes(pid)), `reload ${round}`, 20_000);
        }
      });
      // The socket file goes with the master.
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(existsSync(unix)).toBe(false);
    });
  } finally {
    tmp.cleanup();
  }
}

export function zeroDropTests(launcher: Launcher): void {
  e2e("ten HUPs under load from clients that never retry: none fails, and the new code answers afterwards", () => tenHupsUnderLoad(launcher), 90_000);
  e2e("max_requests recycling and TTIN/TTOU under load from clients that never retry: none fails", () => recyclingUnderLoad(launcher), 90_000);
  e2e("a unix bind is one socket every worker serves; HUPs under load over it fail nothing", () => unixBindUnderLoad(launcher), 90_000);
  e2e("a worker blocked past timeout is replaced under load: only what it held is lost, at most one request per client connection", () => blockedWorkerUnderLoad(launcher), 90_000);
}
