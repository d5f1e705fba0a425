import { beforeEach, describe, expect, test } from "bun:test";
import type { FakeRuntime } from "../runtime/fake.ts";
import type { FakeClock } from "../supervise/clock.ts";
import type { PidRegistry } from "./pid-registry.ts";
import { companion, config, createHarness, settle, statusOf } from "./supervisor.fixtures.ts";
import type { CompanionSupervisor } from "./supervisor.ts";

let runtime: FakeRuntime;
let clock: FakeClock;
let registry: PidRegistry;
let companions: CompanionSupervisor;

const stateOf = (name: string) => statusOf(companions, clock, name);

beforeEach(() => {
  ({ runtime, clock, registry, companions } = createHarness());
});

describe("the companions on a fake runtime and clock", () => {
  test("starts every companion as a group leader with its cwd, env and stdio; RUNNING after startsecs", async () => {
    companions.start(config([companion("a"), companion("b", { stdout: "/log/b.log", stderr: "stdout" })]));
    await settle();
    expect(runtime.children.map((c) => c.options.argv)).toEqual([
      ["self", "companion", "a", "./a.ts:run"],
      ["self", "companion", "b", "./b.ts:run"],
    ]);
    const [a, b] = runtime.children;
    expect(a?.options).toMatchObject({ cwd: "/srv", env: { PATH: "/bin", ROLE: "a", GUNICORN_COMPANION_NAME: "a" }, stdin: "ignore", stdout: "inherit", processGroup: true });
    expect(b?.options).toMatchObject({ stdout: { file: "/log/b.log", append: true }, stderr: "stdout" });
    expect(stateOf("a").state).toBe("STARTING");
    expect(registry.list().map((e) => e.name).sort()).toEqual(["a", "b"]);
    clock.advance(499);
    expect(stateOf("a").state).toBe("STARTING");
    clock.advance(1);
    expect(stateOf("a")).toMatchObject({ state: "RUNNING", pid: a?.pid });
    // An idle companions has nothing scheduled: no polling.
    expect(clock.pendingCount()).toBe(0);
  });

  test("signal goes to the process group; names resolve to members, groups and all", async () => {
    companions.start(config([companion("a"), companion("b:0", { group: "b" }), companion("b:1", { group: "b" })]));
    await settle();
    const a = runtime.children[0];
    expect(companions.signal("a", "SIGHUP")).toEqual({ ok: true, name: "a", state: "STARTING", message: `sent SIGHUP to pid ${a?.pid}`, pid: a?.pid ?? null });
    expect(runtime.signals).toContainEqual({ pid: -(a?.pid ?? 0), signal: "SIGHUP" });
    expect(companions.signal("x", "SIGHUP")).toEqual({ ok: false, error: 'unknown companion "x"' });
    expect(companions.resolve("b")).toEqual({ ok: true, names: ["b:0", "b:1"], several: true });
    expect(companions.resolve("all")).toMatchObject({ ok: true, names: ["a", "b:0", "b:1"] });
    expect(companions.status(["b"])).toMatchObject({ ok: true, records: [{ name: "b:0" }, { name: "b:1" }] });
    expect(companions.status(["bb"])).toEqual({ ok: false, error: 'unknown companion "bb"; did you mean "b"?' });
    await companions.command("stop", "a", false);
    a?.exit({ exitCode: null, signal: "SIGTERM" });
    await settle();
    expect(companions.signal("a", "SIGHUP")).toEqual({ ok: false, error: "a: not running", name: "a", state: "STOPPED" });
  });

  test("a crash goes to BACKOFF and is restarted after restart_delay with a new pid", async () => {
    companions.start(config([companion("a")]));
    await settle();
    clock.advance(500);
    const first = runtime.children[0];
    first?.exit({ exitCode: 1, signal: null });
    await settle();
    expect(stateOf("a")).toMatchObject({ state: "BACKOFF", lastExit: { exitCode: 1 }, exitCount: 1, description: "exited with status 1, retrying in 0.3s" });
    expect(registry.list()).toEqual([]);
    clock.advance(250);
    await settle();
    const second = runtime.children[1];
    expect(second?.pid).not.toBe(first?.pid);
    expect(stateOf("a")).toMatchObject({ state: "STARTING", pid: second?.pid, spawnCount: 2 });
  });

  test("stop signals the process group; SIGKILL follows after stop_timeout if it will not die", async () => {
    companions.start(config([companion("a")]));
    await settle();
    const child = runtime.children[0];
    if (child === undefined) throw new Error("no child");
    const reply = companions.command("stop", "a", true);
    expect(runtime.signals).toContainEqual({ pid: -child.pid, signal: "SIGTERM" });
    clock.advance(1999);
    expect(runtime.signals).not.toContainEqual({ pid: -child.pid, signal: "SIGKILL" });
    clock.advance(1);
    expect(runtime.signals).toContainEqual({ pid: -child.pid, signal: "SIGKILL" });
    child.exit({ exitCode: null, signal: "SIGKILL" });
    expect(await reply).toMatchObject({ ok: true, state: "STOPPED", message: "stopped" });
    expect(stateOf("a")).toMatchObject({ state: "STOPPED", killCount: 1, lastExit: { signal: "SIGKILL" }, description: "stopped manually" });
  });

  test("an exit counts once the process's output is drained: stop --wait answers after its last lines are passed on", async () => {
    let drain: (() => void) | undefined;
    const asked: number[] = [];
    const output = {
      configure() {},
      prepare: () => ({ stdout: "pipe" as const, stderr: "pipe" as const }),
      attach() {},
      forget() {},
      ring: () => null,
      reopen() {},
      close: async () => {},
      drained(_child: unknown, graceMs: number) {
        asked.push(graceMs);
        return new Promise<void>((resolve) => (drain = resolve));
      },
    };
    ({ runtime, clock, registry, companions } = createHarness({ output }));
    companions.start(config([companion("a")]));
    await settle();
    const child = runtime.children[0];
    if (child === undefined) throw new Error("no child");
    let answered = false;
    const reply = companions.command("stop", "a", true).then((answer) => ((answered = true), answer));
    child.exit({ exitCode: 0, signal: null });
    await settle();
    expect(answered).toBe(false);
    expect(stateOf("a").state).toBe("STOPPING");
    expect(asked).toEqual([250]);
    drain?.();
    expect(await reply).toMatchObject({ ok: true, state: "STOPPED" });
  });

  test("start with wait answers when RUNNING, or with an error when it fails first", async () => {
    companions.start(config([companion("a"), companion("b")]));
    await settle();
    const ok = companions.command("start", "a", true);
    clock.advance(500);
    expect(await ok).toMatchObject({ ok: true, state: "RUNNING" });
    await companions.command("stop", "b", false);
    runtime.children[1]?.exit({ exitCode: 0, signal: null });
    await settle();
    const failing = companions.command("start", "b", true);
    await settle();
    runtime.children[2]?.exit({ exitCode: 3, signal: null });
    expect(await failing).toMatchObject({ ok: false, state: "BACKOFF" });
  });

  test("unknown companions and commands during shutdown are errors", async () => {
    companions.start(config([companion("a")]));
    expect(await companions.command("start", "nope", false)).toEqual({ ok: false, error: 'unknown companion "nope"' });
    expect(companions.status(["a", "zz"])).toEqual({ ok: false, error: 'unknown companion "zz"' });
    await settle();
    void companions.shutdown(false);
    expect(await companions.command("start", "a", false)).toMatchObject({ ok: false, error: "the manager is shutting down" });
  });

  test("a spawn failure is BACKOFF with the reason in status", async () => {
    runtime.failNextSpawn("working directory /nope does not exist");
    companions.start(config([companion("a")]));
    await settle();
    expect(stateOf("a")).toMatchObject({ state: "BACKOFF", lastError: "working directory /nope does not exist" });
    expect(stateOf("a").description).toStartWith("spawn failed: working directory /nope does not exist, retrying in");
  });

  test("apply (reread): added, removed, restarted, updated (stopped by hand) and unchanged", async () => {
    companions.start(config([companion("keep"), companion("drop"), companion("change"), companion("manual")]));
    await settle();
    clock.advance(500);
    await companions.command("stop", "manual", false);
    runtime.children[3]?.exit({ exitCode: null, signal: "SIGTERM" });
    await settle();
    const keepPid = stateOf("keep").pid;
    const reply = companions.apply(
      config([companion("keep"), companion("change", { env: { NEW: "1" } }), companion("manual", { startsecs: 0 }), companion("added")]),
    );
    expect(reply).toEqual({ added: ["added"], removed: ["drop"], restarted: ["change"], updated: ["manual"], unchanged: ["keep"] });
    expect(stateOf("keep").pid).toBe(keepPid);
    expect(stateOf("manual").state).toBe("STOPPED");
    expect(stateOf("drop").state).toBe("STOPPING");
    // The removed companion stays supervised until it is gone: SIGKILL after its stop_timeout.
    clock.advance(2000);
    expect(runtime.signals).toContainEqual({ pid: -(runtime.children[1]?.pid ?? 0), signal: "SIGKILL" });
    runtime.children[1]?.exit({ exitCode: null, signal: "SIGKILL" });
    runtime.children[2]?.exit({ exitCode: null, signal: "SIGTERM" });
    await settle();
    expect(companions.status(["drop"]).ok).toBe(false);
    const changed = runtime.children.at(-1);
    expect(changed?.options.env).toMatchObject({ NEW: "1" });
    const started = await companions.command("start", "manual", false);
    expect(started).toMatchObject({ ok: true });
    await settle();
    expect(stateOf("manual").state).toBe("RUNNING");
  });

  test("shutdown stops everything and resolves once all are stopped; quick stop kills sooner", async () => {
    companions.start(config([companion("a", { stop_timeout: 30 }), companion("b")]));
    await settle();
    let done = false;
    void companions.shutdown(false).then(() => {
      done = true;
    });
    runtime.children[1]?.exit({ exitCode: null, signal: "SIGTERM" });
    await settle();
    expect(done).toBe(false);
    void companions.shutdown(true);
    clock.advance(1000);
    expect(runtime.signals).toContainEqual({ pid: -(runtime.children[0]?.pid ?? 0), signal: "SIGKILL" });
    runtime.children[0]?.exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    expect(done).toBe(true);
    expect(clock.pendingCount()).toBe(0);
  });

  test("what a companion left in its process group gets the stop signal, then SIGKILL after stop_timeout; shutdown waits for it", async () => {
    companions.start(config([companion("a", { stop_timeout: 2 })]));
    await settle();
    const [first] = runtime.children;
    if (first === undefined) throw new Error("not spawned");
    expect(registry.list().map((e) => e.pid)).toEqual([first.pid]);
    first.strays = true;
    first.exit({ exitCode: 1, signal: null });
    await settle();
    // A moment's grace first: members signalled with the leader need it to go.
    expect(runtime.signals).not.toContainEqual({ pid: -first.pid, signal: "SIGTERM" });
    clock.advance(100);
    expect(runtime.signals).toContainEqual({ pid: -first.pid, signal: "SIGTERM" });
    // The pid file stays while the group has members: a successor companions would stop them.
    expect(registry.list().map((e) => e.pid)).toContain(first.pid);
    let stopped = false;
    void companions.shutdown(false).then(() => (stopped = true));
    clock.advance(1900);
    await settle();
    expect(runtime.signals.filter((s) => s.pid === -first.pid && s.signal === "SIGKILL")).toHaveLength(0);
    expect(stopped).toBe(false);
    clock.advance(100);
    await settle();
    expect(runtime.signals).toContainEqual({ pid: -first.pid, signal: "SIGKILL" });
    expect(registry.list().map((e) => e.pid)).not.toContain(first.pid);
    expect(stopped).toBe(true);
  });

  test("a leftover group is checked right before each signal: once its id is no longer provably ours, nothing is sent", async () => {
    let proven = true;
    ({ runtime, clock, registry, companions } = createHarness({ provenGroup: () => proven }));
    companions.start(config([companion("a", { stop_timeout: 2 })]));
    await settle();
    const [first] = runtime.children;
    if (first === undefined) throw new Error("not spawned");
    first.strays = true;
    first.exit({ exitCode: 1, signal: null });
    await settle();
    clock.advance(100);
    expect(runtime.signals).toContainEqual({ pid: -first.pid, signal: "SIGTERM" });
    // Between two looks, the group went and its id went to another process.
    proven = false;
    clock.advance(2000);
    await settle();
    expect(runtime.signals.filter((s) => s.pid === -first.pid && s.signal === "SIGKILL")).toHaveLength(0);
  });

  test("a quick shutdown brings the SIGKILL of a leftover group closer", async () => {
    companions.start(config([companion("a", { stop_timeout: 30 })]));
    await settle();
    const [first] = runtime.children;
    if (first === undefined) throw new Error("not spawned");
    first.strays = true;
    first.exit({ exitCode: null, signal: "SIGKILL" });
    await settle();
    let stopped = false;
    void companions.shutdown(true).then(() => (stopped = true));
    clock.advance(1000);
    await settle();
    expect(runtime.signals).toContainEqual({ pid: -first.pid, signal: "SIGKILL" });
    expect(stopped).toBe(true);
  });
});
