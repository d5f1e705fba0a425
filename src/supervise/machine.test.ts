import { describe, expect, test } from "bun:test";
import { createRecord, transition, type ChildSpec, type ChildState } from "./machine.ts";
import { inState, replyOf, spec, step, T0, types } from "./machine.fixtures.ts";
import { fixedDelay } from "./policy.ts";

type CompanionState = ChildState;

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
