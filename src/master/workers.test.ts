/** The HTTP worker pool on the fake runtime and a fake clock: no processes, no sockets, no waiting. */
import { beforeEach, describe, expect, test } from "bun:test";
import type { Settings } from "../config/resolve.ts";
import { FatalError } from "../errors.ts";
import { WORKER_BOOT_ERROR } from "../exit-codes.ts";
import { createMemoryLogger } from "../log.ts";
import { createFakeRuntime, type FakeChild, type FakeRuntime } from "../runtime/fake.ts";
import { createFakeClock, type FakeClock } from "../supervise/clock.ts";
import type { WorkerSettings } from "./generations.ts";
import type { WorkerMessage } from "./worker-channel.ts";
import { createWorkerPool, type WorkerPool } from "./workers.ts";

let runtime: FakeRuntime & { httpSharing: "reuse-port" };
let clock: FakeClock;
let pool: WorkerPool;
let lines: string[];
let send: (pid: number, message: WorkerMessage) => void;
let closed: string[];
let forgotten: number[];

const settings = (workers: number, extra: Partial<Settings> = {}): Settings =>
  ({ bind: ["127.0.0.1:8000"], workers, timeout: 10, graceful_timeout: 5, max_requests: 0, max_requests_jitter: 0, app: "app.ts", ...extra }) as Settings;

const settle = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

const live = () => runtime.children.filter((c) => c.alive);
const ready = (child: FakeChild | undefined) => send(child?.pid ?? -1, { t: "ready" });
const readyAll = () => live().forEach(ready);
const signalsTo = (child: FakeChild | undefined) => runtime.signals.filter((s) => s.pid === child?.pid).map((s) => s.signal);

beforeEach(() => {
  runtime = Object.assign(createFakeRuntime(), { httpSharing: "reuse-port" as const });
  clock = createFakeClock();
  const log = createMemoryLogger();
  lines = log.lines;
  closed = [];
  forgotten = [];
  let generation = 0;
  pool = createWorkerPool({
    runtime,
    clock,
    log,
    env: { APP_ENV: "test" },
    listeners: { closeUnused: (binds) => closed.push(`unused:${binds.join(",")}`), closeAll: () => closed.push("all") },
    generations: {
      create: async (next) => ({ generation: ++generation, timeout: next.timeout, graceful_timeout: next.graceful_timeout }) as WorkerSettings,
      inheritedFds: (gen) => [100 + gen],
      forget: (gen) => void forgotten.push(gen),
    },
    workerArgv: (gen, id, unix) => ["self", "worker", `g${gen}`, `w${id}`, ...(unix ? ["--unix"] : [])],
    openChannel: async (onMessage) => {
      send = onMessage;
      return { close: () => closed.push("channel") };
    },
  });
});

/** Starts the pool with `n` workers that all report ready. */
async function started(n: number, extra: Partial<Settings> = {}): Promise<void> {
  const done = pool.start(settings(n, extra));
  await settle();
  readyAll();
  await done;
}

describe("the HTTP worker pool", () => {
  test("start boots every worker with its argv, env, lifeline and inherited fds, and resolves once all are ready", async () => {
    let resolved = false;
    const done = pool.start(settings(2)).then(() => (resolved = true));
    await settle();
    expect(runtime.children.map((c) => c.options.argv)).toEqual([
      ["self", "worker", "g1", "w0", "--unix"],
      ["self", "worker", "g1", "w1"],
    ]);
    expect(runtime.children[0]?.options).toMatchObject({ env: { APP_ENV: "test" }, stdin: "pipe", extraFds: [101] });
    ready(runtime.children[0]);
    await settle();
    expect(resolved).toBe(false);
    ready(runtime.children[1]);
    await done;
    expect(lines.filter((l) => l.startsWith("info: booting worker"))).toHaveLength(2);
  });

  test("a worker that cannot boot stops the start with WORKER_BOOT_ERROR and the reason; the rest get QUIT", async () => {
    const done = pool.start(settings(2));
    await settle();
    const [bad, good] = runtime.children;
    send(bad?.pid ?? -1, { t: "boot-error", message: 'cannot load app "app.ts": kaboom' });
    bad?.exit({ exitCode: WORKER_BOOT_ERROR, signal: null });
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FatalError);
    expect((error as FatalError).message).toBe('worker failed to boot: cannot load app "app.ts": kaboom');
    expect((error as FatalError).exitCode).toBe(WORKER_BOOT_ERROR);
    expect(signalsTo(good)).toEqual(["SIGQUIT"]);
  });

  test("a worker that exits is replaced at once under the same number; one that fails to boot later is retried after 1 s", async () => {
    await started(2);
    const [first] = runtime.children;
    first?.exit({ exitCode: 7, signal: null });
    await settle();
    clock.advance(0);
    await settle();
    expect(lines).toContain(`warn: worker 0 (pid ${first?.pid}) exited with status 7; replacing it`);
    expect(runtime.children.at(-1)?.options.argv).toEqual(["self", "worker", "g1", "w0", "--unix"]);
    const replacement = runtime.children.at(-1);
    replacement?.exit({ exitCode: WORKER_BOOT_ERROR, signal: null });
    await settle();
    expect(runtime.children).toHaveLength(3);
    clock.advance(999);
    await settle();
    expect(runtime.children).toHaveLength(3);
    clock.advance(1);
    await settle();
    expect(runtime.children).toHaveLength(4);
  });

  test("a worker SIGKILLed while booting is replaced, and the boot waits for its replacement", async () => {
    let resolved = false;
    const done = pool.start(settings(1)).then(() => (resolved = true));
    await settle();
    runtime.children[0]?.exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    clock.advance(0);
    await settle();
    expect(runtime.children).toHaveLength(2);
    expect(resolved).toBe(false);
    ready(runtime.children[1]);
    await done;
    expect(resolved).toBe(true);
  });

  test("a TTOU while the first workers boot is no boot failure", async () => {
    let resolved = false;
    const done = pool.start(settings(2)).then(() => (resolved = true));
    await settle();
    ready(runtime.children[0]);
    await settle();
    pool.decrement();
    expect(signalsTo(runtime.children[0])).toEqual(["SIGTERM"]);
    runtime.children[0]?.exit({ exitCode: 0, signal: null });
    await settle();
    expect(resolved).toBe(false);
    ready(runtime.children[1]);
    await done;
    expect(live()).toEqual([runtime.children[1] as FakeChild]);
  });

  test("a worker silent for `timeout` seconds is killed and replaced; a booting one gets at least 30 s", async () => {
    const done = pool.start(settings(1, { timeout: 2 }));
    await settle();
    clock.advance(29_000);
    expect(signalsTo(runtime.children[0])).toEqual([]);
    send(runtime.children[0]?.pid ?? -1, { t: "beat", requests: 0 });
    ready(runtime.children[0]);
    await done;
    clock.advance(1999);
    expect(signalsTo(runtime.children[0])).toEqual([]);
    send(runtime.children[0]?.pid ?? -1, { t: "beat", requests: 1 });
    clock.advance(1999);
    expect(signalsTo(runtime.children[0])).toEqual([]);
    clock.advance(1);
    expect(signalsTo(runtime.children[0])).toEqual(["SIGKILL"]);
    expect(lines).toContain(`error: worker 0 (pid ${runtime.children[0]?.pid}) sent no heartbeat for 2s: killing it`);
    runtime.children[0]?.exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    clock.advance(0);
    await settle();
    expect(runtime.children).toHaveLength(2);
  });

  test("max_requests: the replacement is ready before the retiring worker gets TERM", async () => {
    await started(1);
    const old = runtime.children[0];
    send(old?.pid ?? -1, { t: "retire", requests: 20 });
    await settle();
    const fresh = runtime.children[1];
    expect(fresh?.options.argv).toEqual(["self", "worker", "g1", "w0", "--unix"]);
    expect(signalsTo(old)).toEqual([]);
    ready(fresh);
    await settle();
    expect(signalsTo(old)).toEqual(["SIGTERM"]);
    // graceful_timeout 5 s plus the 2 s margin, then SIGKILL.
    clock.advance(7000);
    expect(signalsTo(old)).toEqual(["SIGTERM", "SIGKILL"]);
    expect(lines).toContain(`warn: worker 0 (pid ${old?.pid}) did not stop within 7s; sending SIGKILL`);
    old?.exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    expect(runtime.children).toHaveLength(2);
  });

  test("a burst of TTINs adds exactly that many; TTOU stops the oldest, never below one", async () => {
    await started(1);
    pool.increment();
    pool.increment();
    pool.increment();
    await settle();
    expect(live()).toHaveLength(4);
    expect(live().map((c) => c.options.argv[3])).toEqual(["w0", "w1", "w2", "w3"]);
    readyAll();
    await settle();
    for (let i = 0; i < 5; i++) pool.decrement();
    expect(runtime.signals.filter((s) => s.signal === "SIGTERM").map((s) => s.pid)).toEqual(runtime.children.slice(0, 3).map((c) => c.pid));
    expect(lines).toContain("info: TTOU ignored: one worker is the minimum");
  });

  test("reload: the old generation stops only once the new one is ready; then unused listeners close", async () => {
    await started(2);
    const old = live();
    let result = null as boolean | null;
    const reloading = pool.reload(settings(2, { bind: ["127.0.0.1:9000"] })).then((ok) => (result = ok));
    await settle();
    const fresh = live().filter((c) => !old.includes(c));
    expect(fresh.map((c) => c.options.argv[2])).toEqual(["g2", "g2"]);
    expect(fresh[0]?.options.extraFds).toEqual([102]);
    expect(old.flatMap(signalsTo)).toEqual([]);
    fresh.forEach(ready);
    await settle();
    expect(old.flatMap(signalsTo)).toEqual(["SIGTERM", "SIGTERM"]);
    expect(result).toBeNull();
    old.forEach((c) => c.exit({ exitCode: 0, signal: null }));
    await reloading;
    expect(result).toBe(true);
    expect(closed).toEqual(["unused:127.0.0.1:9000"]);
    // The old generation has no worker left: what was kept for it goes.
    expect(forgotten).toEqual([1]);
    expect(live()).toEqual(fresh);
  });

  test("a reload whose workers cannot boot leaves the old ones serving", async () => {
    await started(1);
    const old = live();
    const reloading = pool.reload(settings(1));
    await settle();
    const fresh = live().filter((c) => !old.includes(c));
    fresh[0]?.exit({ exitCode: 1, signal: null });
    expect(await reloading).toBe(false);
    expect(signalsTo(old[0])).toEqual([]);
    // The failed generation's only worker already exited: it is dropped, and its generation forgotten.
    expect(forgotten).toEqual([2]);
    expect(lines.some((l) => l.startsWith("error: reload: the new workers failed to boot (worker exited with status 1 before it was ready)"))).toBe(true);
    await settle();
    clock.advance(60_000);
    await settle();
    expect(live()).toEqual(old);
  });

  test("stop: TERM to every worker, SIGKILL after graceful_timeout + 2 s, resolves once all exited", async () => {
    await started(2);
    let stopped = false;
    const stopping = pool.stop("graceful").then(() => (stopped = true));
    expect(live().flatMap(signalsTo)).toEqual(["SIGTERM", "SIGTERM"]);
    runtime.children[0]?.exit({ exitCode: 0, signal: null });
    clock.advance(7000);
    expect(signalsTo(runtime.children[1])).toEqual(["SIGTERM", "SIGKILL"]);
    await settle();
    expect(stopped).toBe(false);
    runtime.children[1]?.exit({ exitCode: null, signal: "SIGKILL" });
    await stopping;
    expect(closed).toEqual(["all", "channel"]);
    expect(runtime.children).toHaveLength(2);
  });

  test("a quick stop sends QUIT and SIGKILL after 2 s", async () => {
    await started(1);
    void pool.stop("quick");
    expect(signalsTo(runtime.children[0])).toEqual(["SIGQUIT"]);
    clock.advance(2000);
    expect(signalsTo(runtime.children[0])).toEqual(["SIGQUIT", "SIGKILL"]);
  });
});
