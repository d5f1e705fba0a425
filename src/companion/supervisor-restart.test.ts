/** Restart settings on the companion supervisor: applied in place by a reread; a target that cannot load is FATAL. */
import { beforeEach, describe, expect, test } from "bun:test";
import type { FakeRuntime } from "../runtime/fake.ts";
import type { FakeClock } from "../supervise/clock.ts";
import { companion, config, createHarness, settle, statusOf } from "./supervisor.fixtures.ts";
import type { CompanionSupervisor } from "./supervisor.ts";

let runtime: FakeRuntime;
let clock: FakeClock;
let companions: CompanionSupervisor;

const stateOf = (name: string) => statusOf(companions, clock, name);

beforeEach(() => {
  ({ runtime, clock, companions } = createHarness());
});

describe("restart settings of companions", () => {
  test("a changed restart_delay applies to companions that were otherwise unchanged", async () => {
    companions.start(config([companion("a")]));
    await settle();
    companions.apply(config([companion("a")], 3));
    expect(stateOf("a").restart_delay).toBe(3);
  });

  test("restart settings change in place: a reread to restart_policy never leaves the next exit EXITED", async () => {
    companions.start(config([companion("a", { startsecs: 0 })]));
    await settle();
    const first = runtime.children[0];
    const outcome = companions.apply(config([companion("a", { startsecs: 0, restart_policy: "never" })]));
    expect(outcome.unchanged).toEqual(["a"]);
    first?.exit({ exitCode: 1, signal: null });
    await settle();
    expect(stateOf("a")).toMatchObject({ state: "EXITED", lastExit: { exitCode: 1 } });
    clock.advance(60_000);
    await settle();
    expect(runtime.children).toHaveLength(1);
  });

  test("a target that cannot be loaded (its process reported why) is FATAL at once; start tries again", async () => {
    const reports = new Map<string, string>();
    const { companions: fatal } = createHarness({
      runtime,
      clock,
      groupAlive: () => false,
      reports: {
        path: (name) => `/reports/${name}`,
        take(path) {
          const text = reports.get(path) ?? null;
          reports.delete(path);
          return text;
        },
      },
    });
    fatal.start(config([companion("broken")]));
    await settle();
    reports.set("/reports/broken", 'export "run" of ./broken.ts: no such export');
    runtime.children[0]?.exit({ exitCode: 78, signal: null });
    await settle();
    const [record] = (fatal.status(["broken"]) as { records: Array<{ state: string; lastError: string | null }> }).records;
    expect(record).toMatchObject({ state: "FATAL", lastError: 'export "run" of ./broken.ts: no such export' });
    clock.advance(60_000);
    await settle();
    expect(runtime.children).toHaveLength(1);
    expect(await fatal.command("start", "broken", false)).toMatchObject({ ok: true, state: "STARTING" });
    await settle();
    expect(runtime.children).toHaveLength(2);
  });
});
