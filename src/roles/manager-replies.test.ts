import { describe, expect, test } from "bun:test";
import { after as run, running, T0 } from "../companion/supervisor.fixtures.ts";
import { createFakeClock } from "../supervise/clock.ts";
import { createStatusCache, toCommandReply, toCompanionStatus, toRereadReply, toResultsReply, toStatusReply } from "./manager-replies.ts";

describe("domain outcomes become wire replies", () => {
  test("the status entry carries the exit metadata", () => {
    const restarted = run([{ type: "exited", exitCode: 2, signal: null }, { type: "retry-due" }], running);
    expect(toCompanionStatus(restarted, T0)).toMatchObject({
      name: "rq", state: "STARTING", restart_count: 1, exit_count: 1, last_exit_code: 2, last_exit_signal: null, restart_delay: 3,
      last_exit_at: T0 / 1000, next_retry_at: null, stopped_manually: false, kill_count: 0,
    });
    expect(toCompanionStatus(running, T0 + 1234)).toMatchObject({ pid: 1234, uptime: 1.2, description: "pid 1234, uptime 0:00:01" });
  });

  test("a command naming several members gets per-member results, ok only when all are", () => {
    const started = { ok: true as const, name: "a", state: "RUNNING" as const, message: "started (pid 1)", pid: 1 };
    const refused = { ok: false as const, error: "b: is stopping, retry later", name: "b", state: "STOPPING" as const };
    expect(toResultsReply(["a"], [started])).toEqual({ ok: true, results: [{ name: "a", ok: true, message: "started (pid 1)" }] });
    expect(toResultsReply(["a", "b"], [started, refused])).toEqual({
      ok: false,
      results: [{ name: "a", ok: true, message: "started (pid 1)" }, { name: "b", ok: false, message: "is stopping, retry later" }],
    });
    expect(toResultsReply([], [])).toEqual({ ok: true, results: [] });
  });

  test("status, commands and rereads", () => {
    expect(toStatusReply({ ok: false, error: 'unknown companion "x"' }, T0)).toEqual({ ok: false, error: 'unknown companion "x"' });
    expect(toStatusReply({ ok: true, records: [running] }, T0)).toMatchObject({ ok: true, companions: [{ name: "rq", state: "RUNNING" }] });
    expect(toCommandReply({ ok: true, name: "rq", state: "RUNNING", message: "started", pid: 1 })).toEqual({ ok: true, name: "rq", state: "RUNNING", message: "started", pid: 1 });
    expect(toRereadReply({ added: ["a"], removed: [], restarted: [], updated: [], unchanged: ["b"] })).toEqual({
      ok: true, added: ["a"], removed: [], restarted: [], updated: [], unchanged: ["b"],
    });
  });

  test("the encoded status line is cached until a companion changes or 100 ms pass", () => {
    const clock = createFakeClock(T0);
    const companions = { version: 1, status: () => ({ ok: true as const, records: [running] }), leaseOf: () => null };
    const cache = createStatusCache(companions, clock);
    const first = cache.line();
    expect(cache.line()).toBe(first);
    clock.advance(100);
    const second = cache.line();
    expect(second).not.toBe(first);
    companions.version = 2;
    expect(cache.line()).not.toBe(second);
    expect(JSON.parse(new TextDecoder().decode(first))).toMatchObject({ ok: true, companions: [{ name: "rq" }] });
  });
});
