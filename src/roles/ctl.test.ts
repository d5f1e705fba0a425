import { describe, expect, test } from "bun:test";
import type { CompanionStatus } from "../control/protocol.ts";
import { exitStatus } from "./ctl.ts";

const entry = (name: string, state: CompanionStatus["state"]) => ({ name, state }) as CompanionStatus;

describe("the ctl's exit status", () => {
  test("status: 0 when every companion listed is RUNNING, 3 when one is not, 1 on an error", () => {
    const status = { cmd: "status" } as const;
    expect(exitStatus(status, { ok: true, companions: [entry("a", "RUNNING"), entry("b", "RUNNING")] })).toBe(0);
    expect(exitStatus(status, { ok: true, companions: [entry("a", "RUNNING"), entry("b", "BACKOFF")] })).toBe(3);
    expect(exitStatus(status, { ok: true, companions: [] })).toBe(0);
    expect(exitStatus(status, { ok: false, error: 'unknown companion "x"' })).toBe(1);
  });
  test("other commands: 0 or 1 by ok, per-member results included", () => {
    const stop = { cmd: "stop", name: "all", wait: true } as const;
    expect(exitStatus(stop, { ok: true, name: "a", state: "STOPPED", message: "stopped" })).toBe(0);
    expect(exitStatus(stop, { ok: false, results: [{ name: "a", ok: false, message: "is stopping, retry later" }] })).toBe(1);
    expect(exitStatus(stop, { ok: true, results: [] })).toBe(0);
  });
});
