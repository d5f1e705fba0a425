/**
 * examples/queue for real: a Hono app on the workers, a BullMQ worker and a
 * croner scheduler as companions, on a Redis server of the test's own. 200 jobs
 * posted over HTTP; the worker companion is restarted with the ctl in the
 * middle, the master reloaded with HUP; every job must complete exactly once
 * and no HTTP request may fail.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { LAUNCHERS, ROOT, type Launcher } from "../helpers/launchers.ts";
import { rawRequest, runCli } from "../helpers/master.ts";
import { freePort } from "../helpers/ports.ts";
import { isAlive, killTree, waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";

const JOBS = 200;
const hasRedis = Bun.which("redis-server") !== null && Bun.which("redis-cli") !== null;

async function startRedis(dir: string): Promise<{ port: number; cli(...args: string[]): string; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdout: "ignore", stderr: "ignore" });
  const cli = (...args: string[]) => Bun.spawnSync(["redis-cli", "-p", String(port), ...args]).stdout.toString().trim();
  await waitFor(() => cli("ping") === "PONG", "redis to answer");
  return {
    port,
    cli,
    async stop() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

async function runExample(launcher: Launcher): Promise<void> {
  const tmp = makeTempDir("gcq");
  const redis = await startRedis(tmp.dir);
  const port = await freePort();
  const socket = join(tmp.dir, "q.sock");
  const env = { ...process.env, REDIS_URL: `redis://127.0.0.1:${redis.port}`, PORT: String(port), QUEUE_SOCKET: socket, TMPDIR: tmp.dir };
  const master = Bun.spawn([...launcher.command, "master", "-c", "examples/queue/gunicorn.conf.ts", "-p", join(tmp.dir, "m.pid")], {
    cwd: ROOT,
    env,
    stdout: Bun.file(join(tmp.dir, "master.log")),
    stderr: Bun.file(join(tmp.dir, "master.err")),
  });
  const base = `http://127.0.0.1:${port}`;
  const output = () => `${Bun.spawnSync(["cat", join(tmp.dir, "master.log"), join(tmp.dir, "master.err")]).stdout.toString()}`;
  try {
    await waitFor(async () => (await fetch(`${base}/health`).then((r) => r.ok).catch(() => false)), () => `the app\n${output()}`, 30_000);
    await waitFor(
      async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => ({ companions: [] }))).companions as Array<{ state: string }>).every((c) => c.state === "RUNNING"),
      () => `the companions\n${output()}`,
      30_000,
    );
    const failures: string[] = [];
    let next = 0;
    let restarted: Promise<unknown> | null = null;
    let reloaded = false;
    const post = async () => {
      for (;;) {
        const id = next++;
        if (id >= JOBS) return;
        if (id === 70 && restarted === null) restarted = runCli(launcher, ["-s", socket, "restart", "worker"], { cwd: ROOT, env });
        if (id === 140 && !reloaded) {
          reloaded = true;
          master.kill("SIGHUP");
        }
        try {
          const response = await fetch(`${base}/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: String(id) }) });
          if (response.status !== 202) failures.push(`job ${id}: status ${response.status} ${await response.text()}`);
          else await response.text();
        } catch (error) {
          failures.push(`job ${id}: ${String(error)}`);
        }
        // A steady stream, not a burst: the restart and the reload happen while it flows.
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    };
    await Promise.all([post(), post(), post(), post()]);
    expect(failures).toEqual([]);
    expect(((await restarted) as unknown as { code: number; stdout: string }).stdout).toMatch(/^worker: started \(pid \d+\)$/m);
    await waitFor(() => output().includes("reloaded"), () => `the reload\n${output()}`, 30_000);
    await waitFor(() => Number(redis.cli("hlen", "done")) === JOBS, () => `all ${JOBS} jobs done (now ${redis.cli("hlen", "done")})\n${output()}`, 60_000);
    const counts = redis.cli("hvals", "done").split("\n").map(Number);
    expect(counts.length).toBe(JOBS);
    expect(counts.filter((n) => n !== 1)).toEqual([]);
    // The worker companion drained on its restart (BullMQ's graceful close), and the scheduler's ticks were done too.
    expect(output()).toMatch(/SIGTERM: finishing the jobs in hand[\s\S]*drained/);
    expect(Number(redis.cli("get", "ticks"))).toBeGreaterThan(0);
    master.kill("SIGTERM");
    expect(await master.exited).toBe(0);
  } finally {
    if (isAlive(master.pid)) killTree([master.pid]);
    await redis.stop();
    tmp.cleanup();
  }
}

describe("examples/queue on Redis", () => {
  for (const name of ["bun", "binary"] as const) {
    const launcher = LAUNCHERS[name];
    const skip = !hasRedis ? "redis-server is not installed (apt-get install redis-server)" : launcher.unavailable;
    if (skip !== null) test.skip(`${name}: ${skip}`, () => {});
    else test(`${name}: 200 jobs over HTTP, a worker restart and a reload: every job exactly once, no failed request`, () => runExample(launcher), 120_000);
  }
});
