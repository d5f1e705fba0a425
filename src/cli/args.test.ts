import { describe, expect, test } from "bun:test";
import { assertKnownOptions, collectRepeated, moveGlobalOptions, numberOrString, parseCommandArgs } from "./args.ts";

describe("argument helpers", () => {
  test("-s before the command moves behind it", () => {
    expect(moveGlobalOptions(["-s", "/x.sock", "status", "--json"])).toEqual(["status", "-s", "/x.sock", "--json"]);
    expect(moveGlobalOptions(["--socket=/x", "-c", "c.ts", "stop", "rq"])).toEqual(["stop", "--socket=/x", "-c", "c.ts", "rq"]);
    expect(moveGlobalOptions(["status", "-s", "/x"])).toEqual(["status", "-s", "/x"]);
  });
  test("unknown options are usage errors; values and --no- forms are understood", () => {
    const defs = { socket: { type: "string" as const, alias: "s" }, wait: { type: "boolean" as const }, "max-requests": { type: "string" as const } };
    expect(() => assertKnownOptions(["-s", "/x", "--no-wait", "--max-requests", "3", "rq"], defs)).not.toThrow();
    expect(() => assertKnownOptions(["--wiat"], defs)).toThrow("unknown option --wiat");
    expect(() => assertKnownOptions(["-s"], defs)).toThrow("option -s needs a value");
  });
  test("repeatable options and numbers", () => {
    expect(collectRepeated(["-b", "a:1", "--bind=unix:/x", "-w", "2", "--bind", "[::1]:3"], ["-b", "--bind"])).toEqual(["a:1", "unix:/x", "[::1]:3"]);
    expect(numberOrString("2.5")).toBe(2.5);
    expect(numberOrString("abc")).toBe("abc");
    expect(numberOrString("")).toBe("");
  });
});

describe("parseCommandArgs", () => {
  const defs = {
    name: { type: "positional" as const },
    socket: { type: "string" as const, alias: "s" },
    json: { type: "boolean" as const },
    wait: { type: "boolean" as const, default: true },
    "state-dir": { type: "string" as const },
  };
  test("positionals, values, aliases, --no- forms, defaults", () => {
    expect(parseCommandArgs(["rq", "-s", "/x.sock", "--json", "--no-wait"], defs)).toEqual({ _: ["rq"], name: "rq", socket: "/x.sock", json: true, wait: false });
    expect(parseCommandArgs(["--socket=/y", "--state-dir", "/d"], defs)).toEqual({ _: [], socket: "/y", wait: true, "state-dir": "/d" });
    expect(parseCommandArgs(["a", "b", "--", "-c"], defs)._).toEqual(["a", "b", "-c"]);
  });
  test("unknown options are usage errors", () => {
    expect(() => parseCommandArgs(["--bogus"], defs)).toThrow("unknown option --bogus");
  });
});
