import { describe, expect, test } from "bun:test";
import { createRecord, transition, type ChildEvent, type ChildRecord, type ChildSpec, type ChildState, type Effect } from "./machine.ts";
import { backoff, fixedDelay, type RestartPolicy } from "./policy.ts";

const T0 = 1_000_000;
const spec: ChildSpec = { name: "rq", stop_signal: "SIGTERM", stop_timeout: 2, reload_timeout: 3, startsecs: 1 };
type CompanionEvent = ChildEvent;
type CompanionRecord = ChildRecord;
type CompanionState = ChildState;

function step(record: CompanionRecord, event: CompanionEvent, now = T0): CompanionRecord {
  return transition(record, event, now).next;
}

/** A record brought into `state` the way the manager would. */
function inState(state: CompanionState): CompanionRecord {
  const stopped = createRecord(spec, fixedDelay(500));
  const starting = step(step(stopped, { type: "start" }), { type: "spawned", pid: 100 });
  const running = step(starting, { type: "startsecs-elapsed" });
  switch (state) {
    case "STOPPED":
      return stopped;
    case "STARTING":
      return starting;
    case "RUNNING":
      return running;
    case "BACKOFF":
      return step(running, { type: "exited", exitCode: 1, signal: null });
    case "STOPPING":
      return step(running, { type: "stop" });
    case "EXITED": {
      const once: RestartPolicy = { ...fixedDelay(500), when: "never" };
      const up = step(step(step(createRecord(spec, once), { type: "start" }), { type: "spawned", pid: 100 }), { type: "startsecs-elapsed" });
      return step(up, { type: "exited", exitCode: 0, signal: null });
    }
    case "FATAL": {
      const oneTry: RestartPolicy = { ...fixedDelay(500), startRetries: 1 };
      return step(step(step(createRecord(spec, oneTry), { type: "start" }), { type: "spawned", pid: 100 }), { type: "exited", exitCode: 1, signal: null });
    }
  }
}

const types = (effects: Effect[]) => effects.map((e) => (e.type === "set-timer" || e.type === "clear-timer" ? `${e.type}:${e.timer}` : e.type)).filter((t) => t !== "log");
const replyOf = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply");

describe("the command table (docs/states.md)", () => {
  // [state, command, next state, reply ok, reply message, effects (logs and replies aside)]
  const table: Array<[CompanionState, "start" | "stop" | "restart", CompanionState, boolean, string, string[]]> = [
    ["STOPPED", "start", "STARTING", true, "starting", ["spawn"]],
    ["STARTING", "start", "STARTING", true, "already starting", []],
    ["RUNNING", "start", "RUNNING", true, "already running", []],
    ["BACKOFF", "start", "STARTING", true, "starting", ["clear-timer:retry", "spawn"]],
    ["STOPPING", "start", "STOPPING", false, "is stopping, retry later", []],

    ["STOPPED", "stop", "STOPPED", true, "already stopped", []],
    ["STARTING", "stop", "STOPPING", true, "stopping", ["clear-timer:startsecs", "stop"]],
    ["RUNNING", "stop", "STOPPING", true, "stopping", ["clear-timer:startsecs", "stop"]],
    ["BACKOFF", "stop", "STOPPED", true, "stopped", ["clear-timer:retry"]],
    ["STOPPING", "stop", "STOPPING", true, "already stopping", []],

    ["STOPPED", "restart", "STARTING", true, "starting", ["spawn"]],
    ["STARTING", "restart", "STOPPING", true, "restarting", ["clear-timer:startsecs", "stop"]],
    ["RUNNING", "restart", "STOPPING", true, "restarting", ["clear-timer:startsecs", "stop"]],
    ["BACKOFF", "restart", "STARTING", true, "starting", ["clear-timer:retry", "spawn"]],
    ["STOPPING", "restart", "STOPPING", false, "is stopping, retry later", []],

    ["EXITED", "start", "STARTING", true, "starting", ["spawn"]],
    ["EXITED", "stop", "STOPPED", true, "stopped", []],
    ["EXITED", "restart", "STARTING", true, "starting", ["spawn"]],
    ["FATAL", "start", "STARTING", true, "starting", ["spawn"]],
    ["FATAL", "stop", "STOPPED", true, "stopped", []],
    ["FATAL", "restart", "STARTING", true, "starting", ["spawn"]],
  ];
  for (const [state, command, nextState, ok, message, effects] of table) {
    test(`${command} in ${state} -> ${nextState} (${message})`, () => {
      const result = transition(inState(state), { type: command }, T0);
      expect(result.next.state).toBe(nextState);
      expect(replyOf(result.effects)).toMatchObject({ ok, message });
      expect(types(result.effects).filter((t) => t !== "reply")).toEqual(effects);
    });
  }

  test("stop sends the companion's stop signal with its stop_timeout; restart uses reload_timeout", () => {
    const stop = transition(inState("RUNNING"), { type: "stop" }, T0).effects;
    expect(stop).toContainEqual({ type: "stop", pid: 100, signal: "SIGTERM", timeoutMs: 2000 });
    const restart = transition(inState("RUNNING"), { type: "restart" }, T0).effects;
    expect(restart).toContainEqual({ type: "stop", pid: 100, signal: "SIGTERM", timeoutMs: 3000 });
  });

  test("a manual stop is remembered; start clears it", () => {
    const stopped = step(step(inState("RUNNING"), { type: "stop" }), { type: "exited", exitCode: null, signal: "SIGTERM" });
    expect(stopped.state).toBe("STOPPED");
    expect(stopped.stoppedManually).toBe(true);
    expect(step(stopped, { type: "start" }).stoppedManually).toBe(false);
  });
});

describe("process events", () => {
  test("spawned with startsecs arms the startsecs timer; startsecs 0 is RUNNING at once", () => {
    const spawning = step(createRecord(spec, fixedDelay(500)), { type: "start" });
    expect(spawning.spawning).toBe(true);
    const result = transition(spawning, { type: "spawned", pid: 7 }, T0);
    expect(result.next).toMatchObject({ state: "STARTING", pid: 7, spawnedAt: T0 });
    expect(result.effects).toContainEqual({ type: "set-timer", timer: "startsecs", delayMs: 1000 });
    const quick = step(createRecord({ ...spec, startsecs: 0 }, fixedDelay(500)), { type: "start" });
    expect(step(quick, { type: "spawned", pid: 7 }).state).toBe("RUNNING");
  });

  test("fractional startsecs become milliseconds", () => {
    const record = step(createRecord({ ...spec, startsecs: 0.1 }, fixedDelay(100)), { type: "start" });
    expect(transition(record, { type: "spawned", pid: 1 }, T0).effects).toContainEqual({ type: "set-timer", timer: "startsecs", delayMs: 100 });
  });

  for (const state of ["STARTING", "RUNNING"] as const) {
    test(`an exit in ${state} goes to BACKOFF with a retry after restart_delay`, () => {
      const result = transition(inState(state), { type: "exited", exitCode: 3, signal: null }, T0);
      expect(result.next).toMatchObject({ state: "BACKOFF", pid: null, nextRetryAt: T0 + 500, exitCount: 1 });
      expect(result.next.lastExit).toEqual({ exitCode: 3, signal: null, at: T0 });
      expect(result.effects).toContainEqual({ type: "set-timer", timer: "retry", delayMs: 500 });
    });
  }

  test("retry-due in BACKOFF spawns again and counts a restart", () => {
    const result = transition(inState("BACKOFF"), { type: "retry-due" }, T0);
    expect(result.next.state).toBe("STARTING");
    expect(result.next.spawnCount).toBe(2);
    expect(types(result.effects)).toEqual(["spawn"]);
  });

  test("an exit while STOPPING ends in STOPPED; a restart spawns the next process", () => {
    const stopped = transition(inState("STOPPING"), { type: "exited", exitCode: null, signal: "SIGTERM" }, T0);
    expect(stopped.next.state).toBe("STOPPED");
    expect(types(stopped.effects)).toEqual([]);
    const restarting = step(inState("RUNNING"), { type: "restart" });
    const restarted = transition(restarting, { type: "exited", exitCode: 0, signal: null }, T0);
    expect(restarted.next.state).toBe("STARTING");
    expect(types(restarted.effects)).toEqual(["spawn"]);
  });

  test("SIGKILL at the stop deadline is counted and logged", () => {
    const result = transition(inState("STOPPING"), { type: "killed" }, T0);
    expect(result.effects).toEqual([{ type: "log", level: "warn", message: "did not stop within its timeout; sending SIGKILL to 100" }]);
    expect(result.next).toMatchObject({ state: "STOPPING", killCount: 1 });
  });

  test("spawn failure goes to BACKOFF with the reason", () => {
    const spawning = step(createRecord(spec, fixedDelay(500)), { type: "start" });
    const result = transition(spawning, { type: "spawn-failed", error: "working directory /nope does not exist" }, T0);
    expect(result.next).toMatchObject({ state: "BACKOFF", lastError: "working directory /nope does not exist" });
  });

  test("a target that failed to load keeps its reason for status", () => {
    const result = transition(inState("STARTING"), { type: "exited", exitCode: 78, signal: null, reason: "no such export" }, T0);
    expect(result.next.lastError).toBe("no such export");
  });

  test("a stop while the spawn is in flight signals the process once its pid is known", () => {
    const spawning = step(createRecord(spec, fixedDelay(500)), { type: "start" });
    const stopping = transition(spawning, { type: "stop" }, T0);
    expect(stopping.next.state).toBe("STOPPING");
    expect(types(stopping.effects).filter((t) => t !== "reply")).toEqual(["clear-timer:startsecs"]);
    const spawned = transition(stopping.next, { type: "spawned", pid: 9 }, T0 + 5);
    expect(spawned.effects).toContainEqual({ type: "stop", pid: 9, signal: "SIGTERM", timeoutMs: 2000 });
    expect(step(stopping.next, { type: "spawn-failed", error: "x" }).state).toBe("STOPPED");
  });

  test("events that do not apply leave the record alone", () => {
    for (const state of ["STOPPED", "BACKOFF"] as const) {
      const record = inState(state);
      for (const event of [{ type: "startsecs-elapsed" }, { type: "killed" }, { type: "ready" }, { type: "exited", exitCode: 0, signal: null }] as const) {
        expect(transition(record, event, T0).next).toBe(record);
      }
    }
    expect(transition(inState("RUNNING"), { type: "retry-due" }, T0).next.state).toBe("RUNNING");
  });
});

describe("reread and shutdown", () => {
  const changed: ChildSpec = { ...spec, stop_timeout: 5 };

  test("reconfigure restarts a running companion with the new spec after the old one stopped", () => {
    const stopping = step(inState("RUNNING"), { type: "reconfigure", spec: changed });
    expect(stopping.state).toBe("STOPPING");
    const started = step(stopping, { type: "exited", exitCode: null, signal: "SIGTERM" });
    expect(started.state).toBe("STARTING");
    expect(started.spec).toEqual(changed);
  });

  test("reconfigure of a companion stopped by hand only stores the spec", () => {
    const stopped = step(inState("STOPPED"), { type: "stop" });
    const result = transition(stopped, { type: "reconfigure", spec: changed }, T0);
    expect(result.next).toMatchObject({ state: "STOPPED", stoppedManually: true, spec: changed });
    expect(types(result.effects)).toEqual([]);
  });

  test("reconfigure in BACKOFF starts now with the new spec", () => {
    const result = transition(inState("BACKOFF"), { type: "reconfigure", spec: changed }, T0);
    expect(result.next.state).toBe("STARTING");
    expect(result.next.spec).toEqual(changed);
  });

  test("remove stops a running companion and drops the record only after its exit", () => {
    const removing = transition(inState("RUNNING"), { type: "remove" }, T0);
    expect(removing.next.state).toBe("STOPPING");
    expect(types(removing.effects)).not.toContain("removed");
    const gone = transition(removing.next, { type: "exited", exitCode: null, signal: "SIGKILL" }, T0);
    expect(types(gone.effects)).toContain("removed");
    expect(types(transition(inState("BACKOFF"), { type: "remove" }, T0).effects)).toEqual(["clear-timer:retry", "removed"]);
  });

  test("a removed companion brought back by a reread starts again once stopped", () => {
    const removing = step(inState("RUNNING"), { type: "remove" });
    const readded = step(removing, { type: "reconfigure", spec });
    expect(readded.afterStop).toBe("start");
  });

  test("a quick shutdown during a graceful one hurries the stop under way (stop-within keeps the earlier deadline)", () => {
    const graceful = transition(inState("RUNNING"), { type: "shutdown", timeoutMs: null }, T0);
    expect(graceful.effects).toContainEqual({ type: "stop", pid: 100, signal: "SIGTERM", timeoutMs: 2000 });
    const quick = transition(graceful.next, { type: "shutdown", timeoutMs: 1000 }, T0 + 100);
    expect(quick.effects).toEqual([{ type: "hurry", timeoutMs: 1000 }]);
    expect(step(inState("BACKOFF"), { type: "shutdown", timeoutMs: null }).state).toBe("STOPPED");
  });

  test("a shutdown may name its own signal and a shorter deadline; escalating resends the signal", () => {
    const first = transition(inState("RUNNING"), { type: "shutdown", timeoutMs: 500, signal: "SIGINT" }, T0);
    expect(first.effects).toContainEqual({ type: "stop", pid: 100, signal: "SIGINT", timeoutMs: 500 });
    const graceful = step(inState("RUNNING"), { type: "shutdown", timeoutMs: 60_000 });
    const escalated = transition(graceful, { type: "shutdown", timeoutMs: 1500, signal: "SIGINT" }, T0);
    expect(escalated.effects).toEqual([{ type: "signal", pid: 100, signal: "SIGINT" }, { type: "hurry", timeoutMs: 1500 }]);
  });

  test("shutdown cancels the start a restart would do", () => {
    const restarting = step(inState("RUNNING"), { type: "restart" });
    const shutting = step(restarting, { type: "shutdown", timeoutMs: null });
    expect(step(shutting, { type: "exited", exitCode: 0, signal: null }).state).toBe("STOPPED");
  });
});

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
