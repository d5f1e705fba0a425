import { expect, test } from "bun:test";
import { nextManagerBackoff } from "./backoff.ts";

test("1, 2, 4 … capped at 30 s while the manager keeps dying young; back to 1 s once it stayed up", () => {
  const delays: number[] = [];
  let previous: number | null = null;
  for (let i = 0; i < 8; i++) {
    previous = nextManagerBackoff(previous, 0.5);
    delays.push(previous);
  }
  expect(delays).toEqual([1, 2, 4, 8, 16, 30, 30, 30]);
  expect(nextManagerBackoff(30, 10)).toBe(1);
});
