import { describe, expect, test } from "bun:test";
import { commandFor, envFor, memberName, memberNames, substituteInstance } from "./instances.ts";

describe("members and {instance}", () => {
  test("numprocs 1 keeps the name; more make NAME:0 … NAME:N-1", () => {
    expect(memberNames("w", 1)).toEqual(["w"]);
    expect(memberNames("w", 3)).toEqual(["w:0", "w:1", "w:2"]);
    expect(memberName("w", 0, 1)).toBe("w");
  });
  test("every {instance} is replaced; other braces stay", () => {
    expect(substituteInstance("q-{instance}-{instance} {x} ${instance}", 4)).toBe("q-4-4 {x} $4");
  });
  test("in a shell string, in each argv element, and in env values", () => {
    expect(commandFor("echo {instance} | cat", 2)).toBe("echo 2 | cat");
    expect(commandFor(["run", "--slot={instance}", "{instance}"], 7)).toEqual(["run", "--slot=7", "7"]);
    expect(envFor({ SLOT: "s{instance}", PLAIN: "x" }, 1)).toEqual({ SLOT: "s1", PLAIN: "x" });
  });
});
