/** Command companions and numprocs members on the fake runtime and clock. */
import { beforeEach, describe, expect, test } from "bun:test";
import { hashCompanion } from "../config/hash.ts";
import { commandFor, memberNames } from "../config/instances.ts";
import type { ResolvedCompanion } from "../config/resolve.ts";
import type { FakeRuntime } from "../runtime/fake.ts";
import type { FakeClock } from "../supervise/clock.ts";
import type { PidRegistry } from "./pid-registry.ts";
import { commandArgv } from "./spawn-options.ts";
import { config, createHarness, settle } from "./supervisor.fixtures.ts";
import type { CompanionSupervisor } from "./supervisor.ts";

/** The members of a command companion, as the config layer resolves them. */
const members = (group: string, command: string | readonly string[], numprocs = 1): ResolvedCompanion[] =>
  memberNames(group, numprocs).map((name, instance) => ({
    name, group, instance, numprocs, target: null, command: commandFor(command, instance),
    cwd: "/srv", env: { SLOT: `s${instance}` }, stop_signal: "SIGINT", stop_timeout: 1, reload_timeout: 1, startsecs: 0.1,
    stdout: "/log/out.log", stderr: "stdout", restart_policy: "always", restart_delay: 0.25, restart_delay_max: 0.25, start_retries: null,
    stdout_max_bytes: 0, stdout_backups: 0, stderr_max_bytes: 0, stderr_backups: 0, singleton: false,
  }));

let runtime: FakeRuntime;
let clock: FakeClock;
let registry: PidRegistry;
let companions: CompanionSupervisor;
const pidOf = (name: string) => {
  const reply = companions.status([name]);
  return reply.ok ? reply.records[0]?.pid : undefined;
};

beforeEach(() => {
  ({ runtime, clock, registry, companions } = createHarness({
    baseEnv: { PATH: "/bin" },
    reports: { path: (name) => `/state/${name}.report`, take: () => null },
  }));
});

describe("command companions", () => {
  test("an argv runs as given, a string under /bin/sh -c, as group leaders with cwd, env, INSTANCE and stdio", async () => {
    companions.start(config([...members("a", ["sleep", "{instance}"]), ...members("s", "echo {instance} | cat")]));
    await settle();
    expect(runtime.children.map((c) => c.options.argv)).toEqual([["sleep", "0"], ["/bin/sh", "-c", "echo 0 | cat"]]);
    expect(runtime.children[0]?.options).toMatchObject({
      cwd: "/srv",
      env: { PATH: "/bin", SLOT: "s0", GUNICORN_COMPANION_NAME: "a", GUNICORN_COMPANION_INSTANCE: "0" },
      stdin: "ignore", stdout: { file: "/log/out.log", append: true }, stderr: "stdout", processGroup: true,
    });
    expect(commandArgv("a && b")).toEqual(["/bin/sh", "-c", "a && b"]);
  });

  test("stop sends the stop signal to the whole process group, SIGKILL after stop_timeout", async () => {
    companions.start(config(members("a", ["sleep", "60"])));
    await settle();
    const child = runtime.children[0];
    if (child === undefined) throw new Error("no child");
    expect(registry.list().map((e) => [e.name, e.pid, e.stop_signal])).toEqual([["a", child.pid, "SIGINT"]]);
    const reply = companions.command("stop", "a", true);
    expect(runtime.signals).toContainEqual({ pid: -child.pid, signal: "SIGINT" });
    clock.advance(1000);
    expect(runtime.signals).toContainEqual({ pid: -child.pid, signal: "SIGKILL" });
    child.exit({ exitCode: null, signal: "SIGKILL" });
    expect(await reply).toMatchObject({ ok: true, state: "STOPPED" });
  });
});

describe("numprocs members", () => {
  test("each member is its own record with its own process and INSTANCE", async () => {
    companions.start(config(members("w", ["work", "--slot={instance}"], 3)));
    await settle();
    expect(runtime.children.map((c) => [c.options.argv, c.options.env?.GUNICORN_COMPANION_NAME, c.options.env?.GUNICORN_COMPANION_INSTANCE])).toEqual([
      [["work", "--slot=0"], "w:0", "0"],
      [["work", "--slot=1"], "w:1", "1"],
      [["work", "--slot=2"], "w:2", "2"],
    ]);
    expect(new Set(["w:0", "w:1", "w:2"].map(pidOf)).size).toBe(3);
  });

  test("a reread to more or fewer members starts or stops only the difference", async () => {
    companions.start(config(members("w", ["work", "{instance}"], 3)));
    await settle();
    const before = ["w:0", "w:1", "w:2"].map(pidOf);
    const grow = companions.apply(config(members("w", ["work", "{instance}"], 5)));
    await settle();
    expect(grow).toEqual({ added: ["w:3", "w:4"], removed: [], restarted: [], updated: [], unchanged: ["w:0", "w:1", "w:2"] });
    expect(["w:0", "w:1", "w:2"].map(pidOf)).toEqual(before);
    const shrink = companions.apply(config(members("w", ["work", "{instance}"], 2)));
    expect(shrink).toEqual({ added: [], removed: ["w:2", "w:3", "w:4"], restarted: [], updated: [], unchanged: ["w:0", "w:1"] });
    expect(["w:0", "w:1"].map(pidOf)).toEqual(before.slice(0, 2));
    expect(hashCompanion(members("w", "x", 2)[1] as ResolvedCompanion)).toBe(hashCompanion(members("w", "x", 7)[1] as ResolvedCompanion));
  });
});
