/** The machine with restart policies, readiness, EXITED and FATAL; and every state × every event. */
import { describe, expect, test } from "bun:test";
import { createRecord, transition, type ChildEvent, type ChildRecord, type ChildState } from "./machine.ts";
import { inState, spec, step, T0, types } from "./machine.fixtures.ts";
import { backoff, fixedDelay, type RestartPolicy } from "./policy.ts";

type CompanionRecord = ChildRecord;
type CompanionState = ChildState;

describe("restart policies and readiness", () => {
  const crash = (record: CompanionRecord, uptimeMs: number) => {
    const started = step(step(record, { type: "retry-due" }), { type: "spawned", pid: 200 }, T0);
    return transition(started, { type: "exited", exitCode: 1, signal: null }, T0 + uptimeMs);
  };

  test("a backoff policy doubles the delay per early exit up to its cap, and starts over after a stable run", () => {
    const first = transition(
      step(step(createRecord({ ...spec, startsecs: 0 }, backoff(1000, 4000, 10_000)), { type: "start" }), { type: "spawned", pid: 100 }, T0),
      { type: "exited", exitCode: 1, signal: null },
      T0 + 100,
    );
    expect(first.next).toMatchObject({ state: "BACKOFF", lastDelayMs: 1000, nextRetryAt: T0 + 1100 });
    const delays = [first.next.lastDelayMs];
    let record = first.next;
    for (let i = 0; i < 3; i++) {
      record = crash(record, 100).next;
      delays.push(record.lastDelayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 4000]);
    const stable = crash(record, 10_000);
    expect(stable.next.lastDelayMs).toBe(1000);
    expect(stable.effects).toContainEqual({ type: "set-timer", timer: "retry", delayMs: 1000 });
  });

  test("a kind without startsecs is STARTING until it reports ready", () => {
    const spawning = step(createRecord({ ...spec, startsecs: null }, fixedDelay(0)), { type: "start" });
    const started = transition(spawning, { type: "spawned", pid: 5 }, T0);
    expect(started.next.state).toBe("STARTING");
    expect(types(started.effects)).toEqual([]);
    expect(step(started.next, { type: "ready" }).state).toBe("RUNNING");
    const failed = transition(started.next, { type: "exited", exitCode: 3, signal: null }, T0);
    expect(failed.effects).toContainEqual({ type: "log", level: "warn", message: "exited with status 3 before it was ready; restarting in 0s" });
  });
});

describe("every state × every event (docs/states.md)", () => {
  const EVENTS: Array<[string, ChildEvent]> = [
    ["start", { type: "start" }],
    ["stop", { type: "stop" }],
    ["restart", { type: "restart" }],
    ["remove", { type: "remove" }],
    ["reconfigure", { type: "reconfigure", spec: { ...spec, stop_timeout: 9 } }],
    ["shutdown", { type: "shutdown", timeoutMs: null }],
    ["spawned", { type: "spawned", pid: 200 }],
    ["spawn-failed", { type: "spawn-failed", error: "no such file" }],
    ["exited", { type: "exited", exitCode: 1, signal: null }],
    ["startsecs", { type: "startsecs-elapsed" }],
    ["ready", { type: "ready" }],
    ["retry-due", { type: "retry-due" }],
    ["killed", { type: "killed" }],
  ];
  // The next state for each event, in the order of EVENTS; "gone" when the record is dropped.
  const TABLE: Record<CompanionState, string> = {
    //         start     stop     restart  remove   reconf   shutdown spawned  spawn-f  exited   startsecs ready   retry    killed
    STOPPED: "STARTING STOPPED  STARTING gone     STOPPED  STOPPED  STOPPED  STOPPED  STOPPED  STOPPED  STOPPED  STOPPED  STOPPED",
    STARTING: "STARTING STOPPING STOPPING STOPPING STOPPING STOPPING STARTING STARTING BACKOFF  RUNNING  RUNNING  STARTING STARTING",
    RUNNING: "RUNNING  STOPPING STOPPING STOPPING STOPPING STOPPING RUNNING  RUNNING  BACKOFF  RUNNING  RUNNING  RUNNING  RUNNING",
    BACKOFF: "STARTING STOPPED  STARTING gone     STARTING STOPPED  BACKOFF  BACKOFF  BACKOFF  BACKOFF  BACKOFF  STARTING BACKOFF",
    STOPPING: "STOPPING STOPPING STOPPING STOPPING STOPPING STOPPING STOPPING STOPPING STOPPED  STOPPING STOPPING STOPPING STOPPING",
    EXITED: "STARTING STOPPED  STARTING gone     STARTING EXITED   EXITED   EXITED   EXITED   EXITED   EXITED   EXITED   EXITED",
    FATAL: "STARTING STOPPED  STARTING gone     STARTING FATAL    FATAL    FATAL    FATAL    FATAL    FATAL    FATAL    FATAL",
    // The reconfigure of this table drops `singleton`, so that one starts it.
    STANDBY: "STANDBY  STOPPED  STANDBY  gone     STARTING STOPPED  STANDBY  STANDBY  STANDBY  STANDBY  STANDBY  STANDBY  STANDBY",
  };
  for (const [state, row] of Object.entries(TABLE) as Array<[CompanionState, string]>) {
    const expected = row.split(/\s+/);
    EVENTS.forEach(([eventName, event], i) => {
      test(`${state} + ${eventName} -> ${expected[i]}`, () => {
        const { next, effects } = transition(inState(state), event, T0);
        const removed = effects.some((effect) => effect.type === "removed");
        expect(removed ? "gone" : next.state).toBe(expected[i] ?? "?");
      });
    });
  }
});

describe("EXITED and FATAL", () => {
  const up = (policy: RestartPolicy, startsecs: number | null = 1) => {
    const started = step(step(createRecord({ ...spec, startsecs }, policy), { type: "start" }), { type: "spawned", pid: 100 });
    return startsecs === null ? started : step(started, { type: "startsecs-elapsed" });
  };

  test("restart_policy: always restarts any exit; on-failure stops at a clean exit 0; never stops at any", () => {
    const clean = { type: "exited", exitCode: 0, signal: null } as const;
    const crash = { type: "exited", exitCode: 2, signal: null } as const;
    const killed = { type: "exited", exitCode: null, signal: "SIGKILL" } as const;
    expect(step(up(fixedDelay(500)), clean).state).toBe("BACKOFF");
    expect(step(up({ ...fixedDelay(500), when: "on-failure" }), clean).state).toBe("EXITED");
    expect(step(up({ ...fixedDelay(500), when: "on-failure" }), crash).state).toBe("BACKOFF");
    expect(step(up({ ...fixedDelay(500), when: "on-failure" }), killed).state).toBe("BACKOFF");
    const never = transition(up({ ...fixedDelay(500), when: "never" }), crash, T0);
    expect(never.next).toMatchObject({ state: "EXITED", pid: null, nextRetryAt: null, lastExit: { exitCode: 2 } });
    expect(never.effects).toContainEqual({ type: "log", level: "info", message: "exited with status 2; not restarted (restart_policy never)" });
  });

  test("start_retries: the Nth consecutive exit before startsecs is FATAL; a run that got up resets the count", () => {
    const policy: RestartPolicy = { ...fixedDelay(100), startRetries: 3 };
    const early = (record: CompanionRecord) => step(step(record, { type: "spawned", pid: 7 }), { type: "exited", exitCode: 1, signal: null });
    let record = step(createRecord(spec, policy), { type: "start" });
    record = early(record);
    expect(record).toMatchObject({ state: "BACKOFF", startFailures: 1 });
    record = early(step(record, { type: "retry-due" }));
    expect(record).toMatchObject({ state: "BACKOFF", startFailures: 2 });
    const up = step(step(step(record, { type: "retry-due" }), { type: "spawned", pid: 8 }), { type: "startsecs-elapsed" });
    expect(up).toMatchObject({ state: "RUNNING", startFailures: 0 });
    record = step(up, { type: "exited", exitCode: 1, signal: null });
    for (let i = 0; i < 2; i++) record = early(step(record, { type: "retry-due" }));
    expect(record.state).toBe("BACKOFF");
    const fatal = transition(step(record, { type: "retry-due" }), { type: "spawned", pid: 9 }, T0);
    const gaveUp = transition(fatal.next, { type: "exited", exitCode: 1, signal: null }, T0);
    expect(gaveUp.next).toMatchObject({ state: "FATAL", startFailures: 3, lastError: "exited 3 times in a row before startsecs" });
    expect(types(gaveUp.effects)).toEqual(["clear-timer:startsecs"]);
    // A start by hand begins the count again.
    expect(step(gaveUp.next, { type: "start" })).toMatchObject({ state: "STARTING", startFailures: 0 });
  });

  test("failed spawns count as failed starts", () => {
    const record = step(createRecord(spec, { ...fixedDelay(100), startRetries: 2 }), { type: "start" });
    const once = step(record, { type: "spawn-failed", error: "no such file" });
    expect(once.state).toBe("BACKOFF");
    const twice = step(step(once, { type: "retry-due" }), { type: "spawn-failed", error: "no such file" });
    expect(twice).toMatchObject({ state: "FATAL", lastError: "no such file (2 failed starts in a row)" });
  });

  test("an exit that says retrying cannot help is FATAL at once, with the reason", () => {
    const starting = step(step(createRecord(spec, fixedDelay(100)), { type: "start" }), { type: "spawned", pid: 5 });
    const result = transition(starting, { type: "exited", exitCode: 78, signal: null, reason: 'export "nope" of ./w.ts: no such export', fatal: true }, T0);
    expect(result.next).toMatchObject({ state: "FATAL", lastError: 'export "nope" of ./w.ts: no such export' });
    expect(types(result.effects)).toEqual(["clear-timer:startsecs"]);
  });

  test("a reread that changes the spec of an EXITED or FATAL child starts it; one that does not, does nothing", () => {
    for (const state of ["EXITED", "FATAL"] as const) {
      const result = transition(inState(state), { type: "reconfigure", spec: { ...spec, stop_timeout: 9 } }, T0);
      expect(result.next).toMatchObject({ state: "STARTING", spec: { stop_timeout: 9 }, startFailures: 0 });
    }
  });
});
