import { expect, test } from "bun:test";
import { createFakeClock } from "../supervise/clock.ts";
import { createChurnCollector } from "./churn-gc.ts";

test("collects once per interval while companions churn, and never when idle", () => {
  const clock = createFakeClock();
  let collected = 0;
  const gc = createChurnCollector(clock, () => collected++, 1000);
  clock.advance(10_000);
  expect(collected).toBe(0);
  for (let i = 0; i < 50; i++) gc.churn();
  expect(clock.pendingCount()).toBe(1);
  clock.advance(999);
  expect(collected).toBe(0);
  clock.advance(1);
  expect(collected).toBe(1);
  // Quiet again: nothing scheduled, nothing collected.
  expect(clock.pendingCount()).toBe(0);
  clock.advance(60_000);
  expect(collected).toBe(1);
  gc.churn();
  clock.advance(1000);
  expect(gc.collections).toBe(2);
});
