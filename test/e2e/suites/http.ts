/**
 * The master as a web server, with real sockets and real requests: apps as a
 * function or an object with fetch(), every kind of bind, load shared by the
 * workers, timeouts, crashes, max_requests, graceful stop, TTIN/TTOU, the
 * access log and USR1, boot errors, and reloads that drop nothing.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { ROOT, type Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, runCli, waitFor, withMaster, type MasterRun } from "../../helpers/master.ts";
import { freePort } from "../../helpers/ports.ts";
import { makeTempDir } from "../../helpers/temp.ts";
import { startLoad } from "../../helpers/http-load.ts";
import { e2e } from "../e2e-test.ts";

const APP = join(ROOT, "test/fixtures/app.mjs");

/** A GET on a fresh connection (so the kernel spreads connections over the workers). */
/** Sends one request on its own connection and keeps it open (never retried elsewhere) until `close`. */
function holdRequest(base: string, path: string): { close(): void } {
  const url = new URL(base);
  const socket = createConnection({ host: url.hostname, port: Number(url.port) });
  socket.on("error", () => {});
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
  return { close: () => void socket.destroy() };
}

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { ...init, headers: { connection: "close", ...(init.headers ?? {}) } });
  return { status: response.status, text: await response.text() };
}

/** Starts a master serving `app` on a free port; `body` gets the run and the base URL. */
export async function withApp(
  launcher: Launcher,
  config: Record<string, unknown>,
  body: (run: MasterRun, base: string) => Promise<void>,
  app = APP,
): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await withMaster(launcher, { config: { ...FAST, bind: [`127.0.0.1:${port}`], ...config }, args: [app], waitHttp: `${base}/` }, (run) => body(run, base));
}

export function httpTests(launcher: Launcher): void {
  e2e("serves an object with fetch(), a function export, on [::1] and on a unix socket", async () => {
    const port = await freePort();
    const tmp = makeTempDir("gch");
    const unix = join(tmp.dir, "h.sock");
    try {
      await withMaster(
        launcher,
        { config: { ...FAST, workers: 2, bind: [`127.0.0.1:${port}`, `[::1]:${port}`, `unix:${unix}`] }, args: [`${APP}:handler`], waitHttp: `http://127.0.0.1:${port}/x` },
        async (run) => {
          expect(await get(`http://127.0.0.1:${port}/a`)).toEqual({ status: 200, text: "function /a" });
          expect(await get(`http://[::1]:${port}/b`)).toEqual({ status: 200, text: "function /b" });
          // The TCP bind answered; the unix one is ready when every worker is (the master says "listening").
          await run.waitOutput("listening at");
          const viaUnix = Bun.spawnSync(["curl", "-s", "--unix-socket", unix, "http://localhost/c"]);
          expect(viaUnix.stdout.toString()).toBe("function /c");
          run.signal("SIGTERM");
          expect(await run.exited).toBe(0);
          expect(existsSync(unix)).toBe(false);
        },
      );
    } finally {
      tmp.cleanup();
    }
    // The `app` setting instead of the APP argument; the access log to stdout.
    const appPort = await freePort();
    const base = `http://127.0.0.1:${appPort}`;
    await withMaster(launcher, { config: { ...FAST, app: APP, accesslog: "-", bind: [`127.0.0.1:${appPort}`] }, waitHttp: `${base}/` }, async (run) => {
      expect(await get(`${base}/echo`, { method: "POST", body: "posted" })).toEqual({ status: 200, text: "posted" });
      await run.waitOutput(/"POST \/echo HTTP\/1\.1" 200 /);
    });
  });

  e2e("N workers share the load: requests spread over every worker pid", async () => {
    await withApp(launcher, { workers: 3 }, async (run, base) => {
      await waitFor(() => run.workerPids().length === 3, "3 workers");
      const workers = run.workerPids();
      const seen = new Set<string>();
      for (let batch = 0; batch < 30 && seen.size < 3; batch++) {
        for (const { text } of await Promise.all(Array.from({ length: 10 }, () => get(`${base}/sleep?ms=20`)))) seen.add(text.replace("slept ", ""));
      }
      expect([...seen].map(Number).sort((a, b) => a - b)).toEqual(workers);
    });
  });

  e2e("a worker whose event loop is blocked past timeout is killed and replaced; a worker that exits is replaced", async () => {
    await withApp(launcher, { workers: 2, timeout: 2 }, async (run, base) => {
      await waitFor(() => run.workerPids().length === 2, "2 workers");
      const before = run.workerPids();
      // One request on one connection, not fetch: a client that retries would block the next worker too.
      const blocked = holdRequest(base, "/block");
      await run.waitOutput(/sent no heartbeat for 2s: killing it/, 20_000);
      await waitFor(() => run.workerPids().length === 2 && run.workerPids().some((pid) => !before.includes(pid)), "a replacement worker");
      blocked.close();
      expect((await get(`${base}/`)).status).toBe(200);
      const middle = run.workerPids();
      await waitFor(async () => {
        await get(`${base}/exit`).catch(() => null);
        return /exited with status 7; replacing it/.test(run.output());
      }, "a worker to exit");
      await waitFor(() => run.workerPids().length === 2 && run.workerPids().some((pid) => !middle.includes(pid)), "a replacement after the exit");
      await waitFor(async () => (await get(`${base}/`).catch(() => ({ status: 0 }))).status === 200, "the app to answer again");
    });
  });

  e2e("max_requests recycles workers without failing a request", async () => {
    await withApp(launcher, { workers: 2, max_requests: 10, max_requests_jitter: 3 }, async (run, base) => {
      const first = new Set(run.workerPids());
      // A steady stream of keep-alive clients (as behind a proxy) until every first-generation
      // worker has served its max_requests and been replaced (see docs/deploy.md for clients
      // that open a connection per request, or go idle, under SO_REUSEPORT).
      const stream = startLoad(base, "keep-alive", 4);
      await waitFor(() => run.workerPids().every((pid) => !first.has(pid)), () => `first-generation workers recycled (now ${run.workerPids()})\n${run.output()}`, 30_000);
      const results = await stream.stop();
      expect(results.ok).toBeGreaterThan(20);
      expect({ failed: results.failed, errors: results.errors }).toEqual({ failed: 0, errors: [] });
      expect(run.output()).toMatch(/max_requests\): asking to be replaced/);
    });
  });

  e2e("max_requests is a bound: one worker, max_requests 20, 60 sequential requests on fresh connections come from 3+ workers", async () => {
    await withApp(launcher, { workers: 1, max_requests: 20 }, async (_run, base) => {
      const pids: string[] = [];
      const failures: string[] = [];
      for (let i = 0; i < 60; i++) {
        const answer = await get(`${base}/`).catch((error: unknown) => ({ status: 0, text: String(error) }));
        if (answer.status === 200) pids.push(answer.text);
        else failures.push(`${answer.status} ${answer.text}`);
      }
      expect(failures).toEqual([]);
      // Each worker answered at most its 20 and the one request that waited for the hand-over.
      const counts = new Map<string, number>();
      for (const pid of pids) counts.set(pid, (counts.get(pid) ?? 0) + 1);
      expect(counts.size).toBeGreaterThanOrEqual(3);
      expect(Math.max(...counts.values())).toBeLessThanOrEqual(21);
    });
  });

  e2e("TERM lets in-flight requests finish within graceful_timeout; the workers exit", async () => {
    await withApp(launcher, { workers: 1, graceful_timeout: 5 }, async (run, base) => {
      const workers = run.workerPids();
      const slow = get(`${base}/sleep?ms=800`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      run.signal("SIGTERM");
      expect(await slow).toMatchObject({ status: 200 });
      expect(await run.exited).toBe(0);
      for (const pid of workers) expect(isAlive(pid)).toBe(false);
    });
  });

  e2e("TTIN adds a worker, TTOU removes one (never below one)", async () => {
    await withApp(launcher, { workers: 1 }, async (run) => {
      await waitFor(() => run.workerPids().length === 1, "1 worker");
      run.signal("SIGTTIN");
      await waitFor(() => run.workerPids().length === 2, "2 workers after TTIN");
      run.signal("SIGTTIN");
      await waitFor(() => run.workerPids().length === 3, "3 workers after TTIN");
      run.signal("SIGTTOU");
      await waitFor(() => run.workerPids().length === 2, "2 workers after TTOU");
      // One at a time: signals sent in a burst may arrive as one.
      run.signal("SIGTTOU");
      await run.waitOutput("TTOU: 1 worker(s)");
      run.signal("SIGTTOU");
      await run.waitOutput("TTOU ignored: one worker is the minimum");
      await waitFor(() => run.workerPids().length === 1, "1 worker after TTOU");
    });
  });

  e2e("the access log in gunicorn's format; USR1 reopens it after a rotation", async () => {
    await withApp(launcher, { accesslog: "access.log" }, async (run, base) => {
      const log = join(run.dir, "access.log");
      await get(`${base}/hello?x=1`, { headers: { "user-agent": "e2e-agent", referer: "http://ref/" } });
      await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes("/hello"), "an access log line");
      expect(readFileSync(log, "utf8")).toMatch(
        /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/hello\?x=1 HTTP\/1\.1" 200 \S+ "http:\/\/ref\/" "e2e-agent"$/m,
      );
      renameSync(log, `${log}.1`);
      run.signal("SIGUSR1");
      // Lines go on to the moved file until the worker has reopened; then to the new one only.
      let n = 0;
      await waitFor(async () => {
        await get(`${base}/probe-${++n}`);
        return existsSync(log) && readFileSync(log, "utf8").includes("/probe-");
      }, "lines in the reopened log");
      await get(`${base}/after-rotation`);
      await waitFor(() => readFileSync(log, "utf8").includes("/after-rotation"), "the last line in the new file");
      expect(readFileSync(`${log}.1`, "utf8")).not.toContain("/after-rotation");
      expect(run.output()).toContain("SIGUSR1: reopening log files");
    });
  });

  e2e("boot errors: preload fails before any worker, workers that cannot load stop the master, bind errors", async () => {
    const tmp = makeTempDir("gcboot");
    try {
      const broken = tmp.file("broken.mjs", 'throw new Error("kaboom at import");\n');
      const env = { TMPDIR: tmp.dir };
      // Unix binds: a TCP port picked free here could be taken by another test before the master binds it (exit 1, not 3).
      const preload = await runCli(launcher, ["master", broken, "--preload", "-b", `unix:${join(tmp.dir, "preload.sock")}`], { cwd: tmp.dir, env });
      expect(preload.code).toBe(1);
      expect(preload.stderr).toContain(`cannot load app "${broken}": kaboom at import`);
      expect(preload.stderr).not.toContain("booting worker");
      const boot = await runCli(launcher, ["master", broken, "-b", `unix:${join(tmp.dir, "boot.sock")}`], { cwd: tmp.dir, env });
      expect(boot.code).toBe(3);
      expect(boot.stderr).toContain(`worker failed to boot: cannot load app "${broken}": kaboom at import`);
      const notAnApp = await runCli(launcher, ["master", `${APP}:nothing`, "--preload"], { cwd: tmp.dir, env });
      expect(notAnApp).toMatchObject({ code: 1 });
      expect(notAnApp.stderr).toContain("no such export");
      const badBind = await runCli(launcher, ["master", APP, "-b", "127.0.0.1:http"], { cwd: tmp.dir, env });
      expect(badBind.code).toBe(1);
      expect(badBind.stderr).toContain('bind = ["127.0.0.1:http"]: expected "host:port", "[::1]:port" or "unix:/path"');
      const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
      try {
        const inUse = await runCli(launcher, ["master", APP, "-b", `127.0.0.1:${taken.port}`], { cwd: tmp.dir, env });
        expect(inUse.code).not.toBe(0);
        // The same words on every runtime: the address and the reason.
        expect(inUse.stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}: address already in use`);
      } finally {
        taken.stop(true);
      }
    } finally {
      tmp.cleanup();
    }
  });

  e2e("the tiers are apart: a crashing companion leaves the web up, a crashing worker leaves the companions alone", async () => {
    const config = { workers: 1, companion_workers: [fixture("steady"), fixture("crashy", "crash", { startsecs: 0 })] };
    await withApp(launcher, config, async (run, base) => {
      const { steady } = await run.waitStates({ steady: "RUNNING" });
      await run.waitStates({ crashy: "BACKOFF" });
      expect((await get(`${base}/`)).status).toBe(200);
      await get(`${base}/exit`).catch(() => null);
      await run.waitOutput(/exited with status 7; replacing it/);
      await waitFor(async () => (await get(`${base}/`).catch(() => ({ status: 0 }))).status === 200, "the web tier back");
      expect((await run.statusOf("steady")).pid).toBe(steady?.pid ?? -1);
    });
  });

  e2e("SIGKILL of the master: the workers exit within a few seconds", async () => {
    await withApp(launcher, { workers: 2 }, async (run) => {
      await waitFor(() => run.workerPids().length === 2, "2 workers");
      const workers = run.workerPids();
      run.signal("SIGKILL");
      await run.exited;
      await waitFor(() => workers.every((pid) => !isAlive(pid)), "the workers to exit", 5000);
    });
  });
}
