import { expect, test } from "bun:test";
import type { Runtime } from "./runtime/index.ts";
import { managerEnv, turnGcTimerOff, userEnv } from "./gc-timer.ts";

test("the manager gets Bun's GC timer off; companions get the master's environment back", () => {
  const master = { PATH: "/bin" };
  const manager = managerEnv(master);
  expect(manager.BUN_GC_TIMER_DISABLE).toBe("1");
  expect(userEnv(manager)).toEqual(master);
});

test("an operator's own setting is kept everywhere", () => {
  const master = { PATH: "/bin", BUN_GC_TIMER_DISABLE: "1" };
  expect(userEnv(managerEnv(master))).toEqual(master);
});

test("under Bun the master re-executes itself once, same argv, with the timer off; not elsewhere, not twice", () => {
  const calls: Array<{ argv: readonly string[]; env: Record<string, string> }> = [];
  const runtime = (name: "bun" | "node", env: Record<string, string>, canExec = true) =>
    ({
      name,
      args: ["master", "-c", "conf.ts"],
      env: () => env,
      snapshot: () => ({ runtime: name, execPath: "/usr/bin/bun", entry: "/app/src/cli/main.ts", compiled: false, runtimeFlags: [] }),
      execve: canExec
        ? (argv: readonly string[], e: Record<string, string>) => {
            calls.push({ argv, env: e });
            return undefined as never;
          }
        : null,
    }) as unknown as Runtime;
  turnGcTimerOff(runtime("bun", { PATH: "/bin" }));
  expect(calls).toEqual([{ argv: ["/usr/bin/bun", "/app/src/cli/main.ts", "master", "-c", "conf.ts"], env: managerEnv({ PATH: "/bin" }) }]);
  turnGcTimerOff(runtime("bun", managerEnv({ PATH: "/bin" })));
  turnGcTimerOff(runtime("node", { PATH: "/bin" }));
  turnGcTimerOff(runtime("bun", { PATH: "/bin" }, false));
  expect(calls).toHaveLength(1);
});
