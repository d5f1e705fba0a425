/** A singleton's lease through the pure machine (docs/states.md, docs/multi-host.md). */
import { describe, expect, test } from "bun:test";
import { createRecord, transition } from "./machine.ts";
import { spec, step, T0, types } from "./machine.fixtures.ts";
import { fixedDelay } from "./policy.ts";

const singleton = { ...spec, singleton: true, stop_timeout: 60 };
const standby = () => step(createRecord(singleton, fixedDelay(500)), { type: "start" });
const running = () => step(step(step(standby(), { type: "lease-acquired" }), { type: "spawned", pid: 100 }), { type: "startsecs-elapsed" });

describe("singleton lease", () => {
  test("without its lease a singleton waits in STANDBY, spawning nothing; with it, it starts", () => {
    const waiting = transition(createRecord(singleton, fixedDelay(500)), { type: "start" }, T0);
    expect(waiting.next.state).toBe("STANDBY");
    expect(waiting.next.spawnCount).toBe(0);
    expect(types(waiting.effects)).toEqual(["reply"]);
    const acquired = transition(waiting.next, { type: "lease-acquired" }, T0);
    expect(acquired.next).toMatchObject({ state: "STARTING", holdsLease: true, spawnCount: 1 });
    expect(types(acquired.effects)).toEqual(["spawn"]);
  });

  test("losing the lease stops it within the lease's time left, whatever its stop_timeout, then it waits in STANDBY", () => {
    const lost = transition(running(), { type: "lease-lost", timeoutMs: 250 }, T0);
    expect(lost.next).toMatchObject({ state: "STOPPING", holdsLease: false, afterStop: "start" });
    expect(lost.effects).toContainEqual({ type: "stop", pid: 100, signal: "SIGTERM", timeoutMs: 250 });
    const exited = step(lost.next, { type: "exited", exitCode: null, signal: "SIGKILL" });
    expect(exited).toMatchObject({ state: "STANDBY", pid: null, spawning: false });
  });

  test("a stop already under way is hurried; BACKOFF waits in STANDBY instead of retrying", () => {
    const stopping = step(running(), { type: "stop" });
    expect(transition(stopping, { type: "lease-lost", timeoutMs: 100 }, T0).effects).toContainEqual({ type: "hurry", timeoutMs: 100 });
    const backoff = step(running(), { type: "exited", exitCode: 1, signal: null });
    const lost = transition(backoff, { type: "lease-lost", timeoutMs: 100 }, T0);
    expect(lost.next.state).toBe("STANDBY");
    expect(types(lost.effects)).toEqual(["clear-timer:retry"]);
  });

  test("stop on a standby stops it waiting; start resumes contending", () => {
    const stopped = step(standby(), { type: "stop" });
    expect(stopped).toMatchObject({ state: "STOPPED", stoppedManually: true });
    expect(step(stopped, { type: "start" }).state).toBe("STANDBY");
    expect(step(stopped, { type: "lease-acquired" })).toMatchObject({ state: "STOPPED", holdsLease: false });
    // A holder stopped by hand gives its lease up: started again, it waits for it.
    const held = step(step(running(), { type: "stop" }), { type: "exited", exitCode: 0, signal: null });
    expect(held).toMatchObject({ state: "STOPPED", holdsLease: false });
    expect(step(held, { type: "start" }).state).toBe("STANDBY");
  });
});
