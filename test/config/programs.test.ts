import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hashCompanion, loadConfig } from "../../src/config/index.ts";
import { checkCompanionSpecs } from "../../src/config/rules.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { makeTempDir } from "../helpers/temp.ts";

const runtime = await getRuntime();
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir("gc-programs");
});
afterEach(() => tmp.cleanup());

const loadCompanions = async (companions: unknown[], extra: Record<string, unknown> = {}) =>
  (await loadConfig(runtime, { configFile: tmp.file("c.json", JSON.stringify({ ...extra, companion_workers: companions })), overrides: {}, cwd: tmp.dir })).settings
    .companion_workers;

async function errorOf(companions: unknown[]): Promise<string> {
  try {
    await loadCompanions(companions);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("command companions", () => {
  test("an argv and a shell string resolve with target null; a target with command null", async () => {
    const [argv, shell, target] = await loadCompanions([
      { name: "a", command: ["sleep", "60"] },
      { name: "s", command: "echo hi && sleep 60" },
      { name: "t", target: "./w.mjs:run" },
    ]);
    expect(argv).toMatchObject({ name: "a", group: "a", instance: 0, numprocs: 1, target: null, command: ["sleep", "60"] });
    expect(shell).toMatchObject({ target: null, command: "echo hi && sleep 60" });
    expect(target).toMatchObject({ target: "./w.mjs:run", command: null });
  });
  const cases: Array<[string, unknown, string]> = [
    ["both target and command", { name: "x", target: "./w.mjs:run", command: "true" }, 'companion_workers[0].command (companion "x") = "true": a companion has either "target" or "command", not both'],
    ["neither", { name: "x" }, 'companion_workers[0].target (companion "x"): is required (or "command" instead)'],
    ["an empty string", { name: "x", command: "" }, 'companion_workers[0].command (companion "x") = "": must not be empty'],
    ["an empty argv", { name: "x", command: [] }, 'companion_workers[0].command (companion "x") = []: expected at least the program'],
    ["an empty program", { name: "x", command: ["", "a"] }, 'companion_workers[0].command (companion "x") = ["","a"]: the program (the first element) must not be empty'],
    ["a non-string argument", { name: "x", command: ["sleep", 1] }, 'companion_workers[0].command (companion "x") = ["sleep",1]: expected a shell command string or an argv list'],
    ["a number", { name: "x", command: 5 }, 'companion_workers[0].command (companion "x") = 5: expected a shell command string or an argv list'],
    ["numprocs 0", { name: "x", command: "true", numprocs: 0 }, 'companion_workers[0].numprocs (companion "x") = 0: expected a whole number from 1 to 1000'],
    ["numprocs 1.5", { name: "x", command: "true", numprocs: 1.5 }, 'companion_workers[0].numprocs (companion "x") = 1.5: expected a whole number from 1 to 1000'],
    ["numprocs 1001", { name: "x", command: "true", numprocs: 1001 }, 'companion_workers[0].numprocs (companion "x") = 1001: expected a whole number from 1 to 1000'],
    ["numprocs text", { name: "x", command: "true", numprocs: "2" }, 'companion_workers[0].numprocs (companion "x") = "2": expected a whole number from 1 to 1000'],
  ];
  for (const [what, spec, expected] of cases) {
    test(`error: ${what}`, async () => expect(await errorOf([spec])).toContain(expected));
  }
});

describe("numprocs and {instance}", () => {
  test("N members NAME:0 … NAME:N-1 sharing group and numprocs, {instance} replaced per member", async () => {
    const members = await loadCompanions(
      [{ name: "w", command: ["worker", "--slot={instance}"], numprocs: 3, env: { QUEUE: "q{instance}" } }],
      { companion_env: { ALL: "{instance}!" } },
    );
    expect(members.map((m) => [m.name, m.group, m.instance, m.numprocs])).toEqual([
      ["w:0", "w", 0, 3],
      ["w:1", "w", 1, 3],
      ["w:2", "w", 2, 3],
    ]);
    expect(members.map((m) => m.command)).toEqual([["worker", "--slot=0"], ["worker", "--slot=1"], ["worker", "--slot=2"]]);
    expect(members[2]?.env).toEqual({ ALL: "2!", QUEUE: "q2" });
    const [shell] = await loadCompanions([{ name: "s", command: "echo {instance} | cat", numprocs: 2 }]);
    expect(shell?.command).toBe("echo 0 | cat");
  });
  test('a configured name with ":" (the members\' separator) is an error', async () => {
    const message = await errorOf([{ name: "w:1", command: "true" }, { name: "w", command: "true", numprocs: 2 }]);
    expect(message).toContain('companion_workers[0].name (companion "w:1") = "w:1": must not contain ":" (it names numprocs members, such as "w:0")');
  });
  test("a member-name clash names both companions (checked on the member names, whatever the name rules)", () => {
    const issues = checkCompanionSpecs([{ name: "w:1", command: "true" }, { name: "w", command: "true", numprocs: 2 }]);
    expect(issues).toEqual([
      { path: "companion_workers[1].name", value: "w", message: 'member name "w:1" of "w" clashes with "w:1" (companion_workers[0])' },
    ]);
    expect(checkCompanionSpecs([{ name: "a", target: "./a.ts:run" }, { name: "a", command: "true" }])[0]?.message).toBe("duplicate name (also companion_workers[0])");
  });
  test("a member's hash ignores numprocs but follows its own spec", async () => {
    const three = await loadCompanions([{ name: "w", command: ["run", "{instance}"], numprocs: 3 }]);
    const five = await loadCompanions([{ name: "w", command: ["run", "{instance}"], numprocs: 5 }]);
    expect(three.map(hashCompanion)).toEqual(five.slice(0, 3).map(hashCompanion));
    expect(new Set(five.map(hashCompanion)).size).toBe(5);
    const changed = await loadCompanions([{ name: "w", command: ["run", "{instance}", "-v"], numprocs: 3 }]);
    expect(changed.map(hashCompanion)).not.toContain(hashCompanion(three[0] as (typeof three)[0]));
    const [argv] = await loadCompanions([{ name: "w", command: ["a b"] }]);
    const [shell] = await loadCompanions([{ name: "w", command: "a b" }]);
    expect(hashCompanion(argv as (typeof three)[0])).not.toBe(hashCompanion(shell as (typeof three)[0]));
  });
});
