/** Pure glue between singleton records and their leases (docs/multi-host.md). */
import { expect, test } from "bun:test";
import { createRecord } from "../../supervise/machine.ts";
import { inState, spec, step } from "../../supervise/machine.fixtures.ts";
import { fixedDelay } from "../../supervise/policy.ts";
import { holderValue, leaseModeOf, leaseStatus, standbyReason } from "./singletons.ts";

const single = (record: ReturnType<typeof inState>) => ({ ...record, spec: { ...record.spec, singleton: true } });

test("a singleton contends while it would run, keeps a held lease while its process stops for good, releases once down", () => {
  expect(leaseModeOf(inState("STANDBY"), false)).toBe("contend");
  for (const state of ["STARTING", "RUNNING", "BACKOFF"] as const) expect(leaseModeOf(single(inState(state)), true)).toBe("contend");
  expect(leaseModeOf(single(inState("STOPPING")), true)).toBe("keep");
  expect(leaseModeOf(single(step(inState("RUNNING"), { type: "restart" })), true)).toBe("contend");
  for (const state of ["STOPPED", "EXITED", "FATAL"] as const) expect(leaseModeOf(single(inState(state)), true)).toBe("release");
  // Not (or no longer) a singleton, or removed: nothing to do, or let a lease it had go.
  expect(leaseModeOf(inState("RUNNING"), false)).toBe(null);
  expect(leaseModeOf(inState("RUNNING"), true)).toBe("release");
  expect(leaseModeOf(undefined, true)).toBe("release");
  expect(leaseModeOf(createRecord({ ...spec, singleton: true }, fixedDelay(1)), false)).toBe("release");
});

test("status names the holder by host and manager pid, or says why it waits", () => {
  const holder = holderValue("web-2", 4121, 3, "3f9a1c2e");
  expect(holder).toBe("web-2 pid 4121 #3.3f9a1c2e");
  const view = { holding: false, holder, token: 7, expiresAt: 10_000, error: null };
  expect(standbyReason(view, true)).toBe("held by web-2 pid 4121");
  expect(standbyReason({ ...view, holder: null, error: "redis unreachable: ECONNREFUSED" }, true)).toBe("redis unreachable: ECONNREFUSED");
  expect(standbyReason(null, true)).toBe("waiting for the lease");
  expect(standbyReason(null, false)).toContain("companion_lease_url");
  expect(leaseStatus(view, 2_660)).toEqual({ holder: "web-2 pid 4121", token: 7, expires_in: 7.3 });
  expect(leaseStatus(null, 0)).toEqual({ holder: null, token: null, expires_in: null });
});
