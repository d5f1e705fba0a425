/** The manager under the master, on the fake runtime and a fake clock: no processes, no waiting. */
import { beforeEach, describe, expect, test } from "bun:test";
import { createMemoryLogger } from "../log.ts";
import { createFakeRuntime, type FakeRuntime } from "../runtime/fake.ts";
import { createFakeClock, type FakeClock } from "../supervise/clock.ts";
import { createManagerProcess, type ManagerProcess } from "./manager-process.ts";

let runtime: FakeRuntime;
let clock: FakeClock;
let manager: ManagerProcess;
let lines: string[];
let sweeps: boolean[];
let bootFailures: Array<number | null>;

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};


const current = () => {
  const child = runtime.children.at(-1);
  if (child === undefined) throw new Error("no manager spawned");
  return child;
};

beforeEach(() => {
  runtime = createFakeRuntime();
  clock = createFakeClock();
  const log = createMemoryLogger();
  lines = log.lines;
  sweeps = [];
  bootFailures = [];
  manager = createManagerProcess({
    runtime,
    clock,
    log,
    argv: ["self", "manager", "--state-dir", "/state"],
    env: { PATH: "/bin" },
    stopLeftovers: async (killNow) => {
      sweeps.push(killNow);
      return 0;
    },
    onBootFailure: (code) => bootFailures.push(code),
  });
});

describe("the manager under the master", () => {
  test("is spawned with its argv and environment, stdin as the lifeline, not as a group leader", async () => {
    await manager.start();
    expect(current().options).toMatchObject({ argv: ["self", "manager", "--state-dir", "/state"], env: { PATH: "/bin" }, stdin: "pipe", stdout: "inherit" });
    expect(current().options.processGroup).toBeUndefined();
    expect(manager.pid).toBe(current().pid);
    expect(clock.pendingCount()).toBe(0);
  });

  test("a manager that keeps dying young is restarted after 1, 2, 4 s …; one that stayed up 10 s resets it", async () => {
    await manager.start();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = runtime.children.length;
      clock.advance(500);
      current().exit({ exitCode: null, signal: "SIGKILL" });
      await settle();
      let waited = 0;
      while (runtime.children.length === before) {
        clock.advance(100);
        waited += 100;
        await settle();
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(lines).toContain("warn: restarting the companion manager in 8s");
    clock.advance(10_000);
    current().exit({ exitCode: 1, signal: null });
    await settle();
    expect(lines.at(-1)).toBe("warn: restarting the companion manager in 1s");
    expect(lines).toContain(`error: companion manager (pid ${current().pid}) exited with status 1`);
  });

  test("a first manager that cannot start at all (exit 78) stops the master instead of being retried", async () => {
    await manager.start();
    current().exit({ exitCode: 78, signal: null });
    await settle();
    expect(bootFailures).toEqual([78]);
    clock.advance(60_000);
    await settle();
    expect(runtime.children).toHaveLength(1);
  });

  test("a later manager exiting 78 is restarted like any other", async () => {
    await manager.start();
    current().exit({ exitCode: 1, signal: null });
    await settle();
    clock.advance(1000);
    await settle();
    current().exit({ exitCode: 78, signal: null });
    await settle();
    expect(bootFailures).toEqual([]);
    clock.advance(2000);
    await settle();
    expect(runtime.children).toHaveLength(3);
  });

  test("a graceful stop sends TERM, waits for the exit, then sweeps leftovers gracefully; nothing restarts", async () => {
    await manager.start();
    const pid = current().pid;
    let stopped = false;
    void manager.stop("graceful", 30).then(() => (stopped = true));
    await settle();
    expect(runtime.signals).toEqual([{ pid, signal: "SIGTERM" }]);
    clock.advance(29_000);
    current().exit({ exitCode: 0, signal: null });
    await settle();
    expect(stopped).toBe(true);
    expect(sweeps).toEqual([false]);
    clock.advance(120_000);
    await settle();
    expect(runtime.children).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith("error"))).toEqual([]);
  });

  test("a manager that outlives its stop timeout gets SIGKILL, and its companions are killed at once", async () => {
    await manager.start();
    const pid = current().pid;
    let stopped = false;
    void manager.stop("graceful", 1).then(() => (stopped = true));
    clock.advance(999);
    expect(runtime.signals).toEqual([{ pid, signal: "SIGTERM" }]);
    clock.advance(1);
    expect(runtime.signals.at(-1)).toEqual({ pid, signal: "SIGKILL" });
    expect(lines).toContain("warn: companion manager did not stop within 1s; sending SIGKILL");
    current().exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    expect(stopped).toBe(true);
    expect(sweeps).toEqual([true]);
  });

  test("a quick stop during a graceful one sends INT and brings SIGKILL closer", async () => {
    await manager.start();
    const pid = current().pid;
    void manager.stop("graceful", 60);
    clock.advance(100);
    void manager.stop("quick", 3);
    expect(runtime.signals).toEqual([
      { pid, signal: "SIGTERM" },
      { pid, signal: "SIGINT" },
    ]);
    clock.advance(3000);
    expect(runtime.signals.at(-1)).toEqual({ pid, signal: "SIGKILL" });
  });

  test("a stop while the manager waits to be restarted cancels the restart; start runs it again", async () => {
    await manager.start();
    current().exit({ exitCode: 1, signal: null });
    await settle();
    await manager.stop("graceful", 30);
    clock.advance(60_000);
    await settle();
    expect(runtime.children).toHaveLength(1);
    expect(sweeps).toEqual([false]);
    await manager.start();
    expect(runtime.children).toHaveLength(2);
  });

  test("a spawn that fails is retried on the backoff", async () => {
    runtime.failNextSpawn("no such file");
    await manager.start();
    expect(runtime.children).toHaveLength(0);
    expect(lines).toContain("error: companion manager: spawn failed: no such file");
    clock.advance(1000);
    await settle();
    expect(runtime.children).toHaveLength(1);
  });
});
