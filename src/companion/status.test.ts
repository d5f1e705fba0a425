import { describe, expect, test } from "bun:test";
import { createRecord } from "../supervise/machine.ts";
import { fixedDelay } from "../supervise/policy.ts";
import { describeRecord, formatDelay, formatUptime, settleWait } from "./status.ts";
import { after as run, rq as spec, running, T0 } from "./supervisor.fixtures.ts";

describe("uptime and delays read like supervisorctl", () => {
  test.each([
    [5, "0:00:05"],
    [3_725, "1:02:05"],
    [86_400 + 5, "1 day, 00:00:05"],
    [2 * 86_400 + 3 * 3600 + 12 * 60 + 44, "2 days, 03:12:44"],
  ])("%d seconds -> %s", (seconds, text) => expect(formatUptime(seconds)).toBe(text));
  test.each([
    [3000, "3s"], [500, "0.5s"], [9_960, "10s"], [25_000, "25s"], [59_600, "1m 00s"], [60_000, "1m 00s"], [125_000, "2m 05s"],
  ])("%d ms -> %s", (ms, text) => expect(formatDelay(ms)).toBe(text));
});

describe("descriptions", () => {
  test("running", () => expect(describeRecord(running, T0 + 2 * 86_400_000 + 11_564_000)).toBe("pid 1234, uptime 2 days, 03:12:44"));
  test("backoff after an exit", () => {
    const backoff = run([{ type: "exited", exitCode: 1, signal: null }], running);
    expect(describeRecord(backoff, T0)).toBe("exited with status 1, retrying in 3s");
  });
  test("backoff after a signal and after a load failure", () => {
    expect(describeRecord(run([{ type: "exited", exitCode: null, signal: "SIGSEGV" }], running), T0 + 1000)).toBe("killed by SIGSEGV, retrying in 2s");
    const failed = run([{ type: "exited", exitCode: 78, signal: null, reason: 'export "run" of ./w.ts: no such export' }], running);
    expect(describeRecord(failed, T0)).toBe('exited with status 78: export "run" of ./w.ts: no such export, retrying in 3s');
  });
  test("stopped manually, not started", () => {
    expect(describeRecord(run([{ type: "stop" }, { type: "exited", exitCode: 0, signal: null }], running), T0)).toBe("stopped manually");
    expect(describeRecord(createRecord(spec, fixedDelay(0)), T0)).toBe("not started");
  });
});

describe("waits", () => {
  test("a start wait ends well at RUNNING and badly at BACKOFF or STOPPED", () => {
    expect(settleWait("RUNNING", running, T0)).toMatchObject({ ok: true });
    expect(settleWait("RUNNING", run([{ type: "exited", exitCode: 1, signal: null }], running), T0)?.ok).toBe(false);
    expect(settleWait("RUNNING", createRecord(spec, fixedDelay(0)), T0)?.ok).toBe(false);
    expect(settleWait("RUNNING", run([{ type: "restart" }], running), T0)).toBeNull();
  });
  test("a stop wait ends at STOPPED, and for a removed companion", () => {
    expect(settleWait("STOPPED", run([{ type: "stop" }], running), T0)).toBeNull();
    expect(settleWait("STOPPED", createRecord(spec, fixedDelay(0)), T0)).toMatchObject({ ok: true });
    expect(settleWait("STOPPED", null, T0)).toMatchObject({ ok: true });
  });
});
