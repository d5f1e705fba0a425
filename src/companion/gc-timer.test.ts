import { expect, test } from "bun:test";
import { companionBaseEnv, managerEnv } from "./gc-timer.ts";

test("the manager gets Bun's GC timer off; companions get the master's environment back", () => {
  const master = { PATH: "/bin" };
  const manager = managerEnv(master);
  expect(manager.BUN_GC_TIMER_DISABLE).toBe("1");
  expect(companionBaseEnv(manager)).toEqual(master);
});

test("an operator's own setting is kept everywhere", () => {
  const master = { PATH: "/bin", BUN_GC_TIMER_DISABLE: "1" };
  expect(companionBaseEnv(managerEnv(master))).toEqual(master);
});
