import { expect, test } from "bun:test";
import { createRecord, transition, type ChildEvent, type ChildRecord, type ChildSpec } from "../supervise/machine.ts";
import { fixedDelay } from "../supervise/policy.ts";
import { judgeBoot, judgeWorkerExit } from "./worker-verdicts.ts";

const exit = (booting: boolean, exitCode: number | null, signal: string | null, bootError: string | null = null) =>
  judgeWorkerExit({ id: 2, pid: 900, booting, status: { exitCode, signal }, bootError });

test.each([
  // [booting, exit code, signal, boot error] -> [level, message, reason, delay]
  [false, 7, null, null, "warn", "worker 2 (pid 900) exited with status 7; replacing it", null, 0],
  [false, null, "SIGKILL", null, "warn", "worker 2 (pid 900) killed by SIGKILL; replacing it", null, 0],
  [true, null, "SIGKILL", null, "warn", "worker 2 (pid 900) was killed by SIGKILL while booting; starting another", null, 0],
  [true, null, "SIGKILL", "no heartbeat within 30s", "warn", "worker 2 (pid 900) killed by SIGKILL; replacing it", "no heartbeat within 30s", 0],
  [true, 3, null, "kaboom", "error", "worker 2 failed to boot: kaboom; trying again in 1s", "kaboom", 1000],
  [true, 3, null, null, "error", "worker 2 failed to boot: see its output; trying again in 1s", "worker exited with status 3 before it was ready", 1000],
  [true, 1, null, null, "warn", "worker 2 (pid 900) exited with status 1; replacing it", "worker exited with status 1 before it was ready", 0],
] as const)("booting %p, status %p, signal %p, boot error %p", (booting, code, signal, bootError, level, message, reason, delayMs) => {
  expect(exit(booting, code, signal, bootError)).toEqual({ log: { level, message }, reason, delayMs });
});

test("a boot is done when every worker is ready or was stopped on purpose, failed when one could not boot", () => {
  const spec: ChildSpec = { name: "w", stop_signal: "SIGTERM", stop_timeout: 7, reload_timeout: 7, startsecs: null };
  const after = (...events: ChildEvent[]): ChildRecord =>
    events.reduce<ChildRecord>((record, event) => transition(record, event, 0).next, createRecord(spec, fixedDelay(1000)));
  const booting = after({ type: "start" }, { type: "spawned", pid: 1 });
  const ready = after({ type: "start" }, { type: "spawned", pid: 1 }, { type: "ready" });
  const removed = after({ type: "start" }, { type: "spawned", pid: 1 }, { type: "remove" });
  const replaced = after({ type: "start" }, { type: "spawned", pid: 1 }, { type: "exited", exitCode: null, signal: "SIGKILL", reason: null, delayMs: 0 });
  const failed = after({ type: "start" }, { type: "spawned", pid: 1 }, { type: "exited", exitCode: 3, signal: null, reason: "kaboom", delayMs: 1000 });
  expect(judgeBoot([ready, ready])).toBeNull();
  expect(judgeBoot([ready, removed, undefined])).toBeNull();
  expect(judgeBoot([ready, booting])).toBeUndefined();
  expect(judgeBoot([ready, replaced])).toBeUndefined();
  expect(judgeBoot([booting, failed])).toBe("kaboom");
});
