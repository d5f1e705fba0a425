import { expect, test } from "bun:test";
import { backoff, currentRestartDelay, fixedDelay, nextRestartDelay } from "./policy.ts";

test("a backoff doubles 1, 2, 4 … capped at 30 s while runs stay short; back to 1 s once one lasted", () => {
  const policy = backoff(1000, 30_000, 10_000);
  const delays: number[] = [];
  let previous: number | null = null;
  for (let i = 0; i < 8; i++) {
    previous = nextRestartDelay(policy, previous, 500);
    delays.push(previous);
  }
  expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  expect(nextRestartDelay(policy, 30_000, 10_000)).toBe(1000);
  expect(nextRestartDelay(policy, 30_000, 9_999)).toBe(30_000);
});

test("a fixed delay is the same after every exit, however long the run", () => {
  const policy = fixedDelay(250);
  expect([null, 250, 250].map((previous, i) => nextRestartDelay(policy, previous, i * 100_000))).toEqual([250, 250, 250]);
});

test("the delay a status reports", () => {
  expect(currentRestartDelay(fixedDelay(5000), 100)).toBe(5000);
  expect(currentRestartDelay(backoff(1000, 30_000, 10_000), null)).toBe(1000);
  expect(currentRestartDelay(backoff(1000, 30_000, 10_000), 8000)).toBe(8000);
});
