import { describe, expect, test } from "bun:test";
import type { ResolvedCompanion } from "../config/resolve.ts";
import { createRecord, transition, type CompanionEvent, type CompanionRecord, type CompanionState, type Effect } from "./machine.ts";

const T0 = 1_000_000;
const spec: ResolvedCompanion = {
  name: "rq",
  target: "./jobs.ts:run",
  cwd: "/srv",
  env: {},
  stop_signal: "SIGTERM",
  stop_timeout: 2,
  reload_timeout: 3,
  startsecs: 1,
  stdout: "inherit",
  stderr: "inherit",
};

function step(record: CompanionRecord, event: CompanionEvent, now = T0): CompanionRecord {
  return transition(record, event, now).next;
}

/** A record brought into `state` the way the manager would. */
function inState(state: CompanionState): CompanionRecord {
  const stopped = createRecord(spec, 500);
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
  }
}

const types = (effects: Effect[]) => effects.map((e) => (e.type === "set-timer" || e.type === "clear-timer" ? `${e.type}:${e.timer}` : e.type)).filter((t) => t !== "log");
const replyOf = (effects: Effect[]) => effects.find((e): e is Extract<Effect, { type: "reply" }> => e.type === "reply");

describe("the command table of SPEC §4", () => {
  // [state, command, next state, reply ok, reply message, effects (logs and replies aside)]
  const table: Array<[CompanionState, "start" | "stop" | "restart", CompanionState, boolean, string, string[]]> = [
    ["STOPPED", "start", "STARTING", true, "starting", ["spawn"]],
    ["STARTING", "start", "STARTING", true, "already starting", []],
    ["RUNNING", "start", "RUNNING", true, "already running", []],
    ["BACKOFF", "start", "STARTING", true, "starting", ["clear-timer:retry", "spawn"]],
    ["STOPPING", "start", "STOPPING", false, "is stopping, retry later", []],

    ["STOPPED", "stop", "STOPPED", true, "already stopped", []],
    ["STARTING", "stop", "STOPPING", true, "stopping", ["clear-timer:startsecs", "signal", "set-timer:stop-deadline"]],
    ["RUNNING", "stop", "STOPPING", true, "stopping", ["clear-timer:startsecs", "signal", "set-timer:stop-deadline"]],
    ["BACKOFF", "stop", "STOPPED", true, "stopped", ["clear-timer:retry"]],
    ["STOPPING", "stop", "STOPPING", true, "already stopping", []],

    ["STOPPED", "restart", "STARTING", true, "starting", ["spawn"]],
    ["STARTING", "restart", "STOPPING", true, "restarting", ["clear-timer:startsecs", "signal", "set-timer:stop-deadline"]],
    ["RUNNING", "restart", "STOPPING", true, "restarting", ["clear-timer:startsecs", "signal", "set-timer:stop-deadline"]],
    ["BACKOFF", "restart", "STARTING", true, "starting", ["clear-timer:retry", "spawn"]],
    ["STOPPING", "restart", "STOPPING", false, "is stopping, retry later", []],
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
    expect(stop).toContainEqual({ type: "signal", pid: 100, signal: "SIGTERM" });
    expect(stop).toContainEqual({ type: "set-timer", timer: "stop-deadline", delayMs: 2000 });
    const restart = transition(inState("RUNNING"), { type: "restart" }, T0).effects;
    expect(restart).toContainEqual({ type: "set-timer", timer: "stop-deadline", delayMs: 3000 });
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
    const spawning = step(createRecord(spec, 500), { type: "start" });
    expect(spawning.spawning).toBe(true);
    const result = transition(spawning, { type: "spawned", pid: 7 }, T0);
    expect(result.next).toMatchObject({ state: "STARTING", pid: 7, spawnedAt: T0 });
    expect(result.effects).toContainEqual({ type: "set-timer", timer: "startsecs", delayMs: 1000 });
    const quick = step(createRecord({ ...spec, startsecs: 0 }, 500), { type: "start" });
    expect(step(quick, { type: "spawned", pid: 7 }).state).toBe("RUNNING");
  });

  test("fractional startsecs become milliseconds", () => {
    const record = step(createRecord({ ...spec, startsecs: 0.1 }, 100), { type: "start" });
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
    expect(types(stopped.effects)).toEqual(["clear-timer:stop-deadline"]);
    const restarting = step(inState("RUNNING"), { type: "restart" });
    const restarted = transition(restarting, { type: "exited", exitCode: 0, signal: null }, T0);
    expect(restarted.next.state).toBe("STARTING");
    expect(types(restarted.effects)).toEqual(["clear-timer:stop-deadline", "spawn"]);
  });

  test("the stop deadline sends SIGKILL to the group and counts it", () => {
    const result = transition(inState("STOPPING"), { type: "stop-deadline" }, T0);
    expect(result.effects).toContainEqual({ type: "kill", pid: 100 });
    expect(result.next).toMatchObject({ state: "STOPPING", killCount: 1 });
  });

  test("spawn failure goes to BACKOFF with the reason", () => {
    const spawning = step(createRecord(spec, 500), { type: "start" });
    const result = transition(spawning, { type: "spawn-failed", error: "working directory /nope does not exist" }, T0);
    expect(result.next).toMatchObject({ state: "BACKOFF", lastError: "working directory /nope does not exist" });
  });

  test("a target that failed to load keeps its reason for status", () => {
    const result = transition(inState("STARTING"), { type: "exited", exitCode: 78, signal: null, reason: "no such export" }, T0);
    expect(result.next.lastError).toBe("no such export");
  });

  test("a stop while the spawn is in flight signals the process once its pid is known", () => {
    const spawning = step(createRecord(spec, 500), { type: "start" });
    const stopping = transition(spawning, { type: "stop" }, T0);
    expect(stopping.next.state).toBe("STOPPING");
    expect(types(stopping.effects).filter((t) => t !== "reply")).toEqual(["clear-timer:startsecs"]);
    const spawned = transition(stopping.next, { type: "spawned", pid: 9 }, T0 + 5);
    expect(spawned.effects).toContainEqual({ type: "signal", pid: 9, signal: "SIGTERM" });
    expect(spawned.effects).toContainEqual({ type: "set-timer", timer: "stop-deadline", delayMs: 2000 });
    expect(step(stopping.next, { type: "spawn-failed", error: "x" }).state).toBe("STOPPED");
  });

  test("events that do not apply leave the record alone", () => {
    for (const state of ["STOPPED", "BACKOFF"] as const) {
      const record = inState(state);
      for (const event of [{ type: "startsecs-elapsed" }, { type: "stop-deadline" }, { type: "exited", exitCode: 0, signal: null }] as const) {
        expect(transition(record, event, T0).next).toBe(record);
      }
    }
    expect(transition(inState("RUNNING"), { type: "retry-due" }, T0).next.state).toBe("RUNNING");
  });
});

describe("reread and shutdown", () => {
  const changed = { ...spec, env: { A: "1" } };

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

  test("a quick shutdown brings SIGKILL closer, never further", () => {
    const graceful = transition(inState("RUNNING"), { type: "shutdown", quickMs: null }, T0);
    expect(graceful.effects).toContainEqual({ type: "set-timer", timer: "stop-deadline", delayMs: 2000 });
    const quick = transition(graceful.next, { type: "shutdown", quickMs: 1000 }, T0 + 100);
    expect(quick.effects).toContainEqual({ type: "set-timer", timer: "stop-deadline", delayMs: 1000 });
    const late = transition(graceful.next, { type: "shutdown", quickMs: 1000 }, T0 + 1500);
    expect(late.effects).toEqual([]);
    expect(step(inState("BACKOFF"), { type: "shutdown", quickMs: null }).state).toBe("STOPPED");
  });

  test("shutdown cancels the start a restart would do", () => {
    const restarting = step(inState("RUNNING"), { type: "restart" });
    const shutting = step(restarting, { type: "shutdown", quickMs: null });
    expect(step(shutting, { type: "exited", exitCode: 0, signal: null }).state).toBe("STOPPED");
  });
});
