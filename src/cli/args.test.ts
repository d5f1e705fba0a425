import { describe, expect, test } from "bun:test";
import { type ArgDef, numberOrString, parseArgs } from "./args.ts";

const CTL: Record<string, ArgDef> = {
  name: { type: "positional" },
  socket: { type: "string", alias: "s" },
  config: { type: "string", alias: "c" },
  json: { type: "boolean" },
  wait: { type: "boolean", default: true },
  "state-dir": { type: "string" },
};

const MASTER: Record<string, ArgDef> = {
  app: { type: "positional" },
  bind: { type: "string", alias: "b", repeat: true },
  workers: { type: "string", alias: "w" },
  pid: { type: "string", alias: "p" },
  preload: { type: "boolean" },
  "access-logfile": { type: "string" },
};

const args = (argv: string[], defs: Record<string, ArgDef> = CTL, skip?: number) => parseArgs(argv, defs, skip).args;

describe("parseArgs", () => {
  test("positionals, values, aliases, --no- forms, defaults", () => {
    expect(args(["rq", "-s", "/x.sock", "--json", "--no-wait"])).toEqual({ _: ["rq"], name: "rq", socket: "/x.sock", json: true, wait: false });
    expect(args(["--socket=/y", "--state-dir", "/d"])).toEqual({ _: [], socket: "/y", wait: true, "state-dir": "/d" });
    expect(args(["--json=false", "--wait=true"])).toMatchObject({ json: false, wait: true });
  });

  test("--name=value splits at the first = only", () => {
    expect(args(["--pid=/tmp/a=b.pid"], MASTER)).toMatchObject({ pid: "/tmp/a=b.pid" });
    expect(args(["--socket=/x=y=z"])).toMatchObject({ socket: "/x=y=z" });
    expect(args(["--socket="])).toMatchObject({ socket: "" });
  });

  test("short options take attached values", () => {
    expect(args(["-w4"], MASTER)).toMatchObject({ workers: "4" });
    expect(args(["-w=4"], MASTER)).toMatchObject({ workers: "4" });
    expect(args(["-w", "4"], MASTER)).toMatchObject({ workers: "4" });
    expect(args(["-bunix:/x"], MASTER)).toMatchObject({ bind: ["unix:/x"] });
    expect(args(["-p/tmp/a=b.pid"], MASTER)).toMatchObject({ pid: "/tmp/a=b.pid" });
  });

  test("a value may start with a dash", () => {
    expect(args(["--access-logfile", "-"], MASTER)).toMatchObject({ "access-logfile": "-" });
    expect(args(["-s", "-weird"])).toMatchObject({ socket: "-weird" });
  });

  test("repeatable options collect every value in order; others keep the last", () => {
    expect(args(["-b", "a:1", "--bind=unix:/x", "-w", "2", "--bind", "[::1]:3", "-bb:4"], MASTER)).toMatchObject({ bind: ["a:1", "unix:/x", "[::1]:3", "b:4"], workers: "2" });
    expect(args(["-w", "2", "--workers=3"], MASTER)).toMatchObject({ workers: "3" });
    expect(args([], MASTER)).toEqual({ _: [] });
  });

  test("-- ends the options; - alone is a positional", () => {
    expect(args(["a", "b", "--", "-c", "--json"])._).toEqual(["a", "b", "-c", "--json"]);
    expect(args(["-"])).toMatchObject({ _: ["-"], name: "-" });
  });

  test("unknown options are usage errors naming the option", () => {
    expect(() => args(["--bogus"])).toThrow("unknown option --bogus");
    expect(() => args(["--bogus=1"])).toThrow("unknown option --bogus");
    expect(() => args(["-x4"])).toThrow("unknown option -x");
    expect(() => args(["--no-socket"])).toThrow("unknown option --no-socket");
    expect(() => args(["rq", "--wiat"])).toThrow("unknown option --wiat");
  });

  test("a missing value is a usage error", () => {
    expect(() => args(["-s"])).toThrow("option -s needs a value");
    expect(() => args(["rq", "--socket"])).toThrow("option --socket needs a value");
  });

  test("booleans take no attached value", () => {
    expect(() => args(["--no-wait=1"])).toThrow("option --no-wait takes no value");
    expect(() => parseArgs(["-jx"], { json: { type: "boolean", alias: "j" } })).toThrow("option -j takes no value");
    expect(parseArgs(["-j"], { json: { type: "boolean", alias: "j" } }).args).toMatchObject({ json: true });
  });

  test("--help wins over usage errors", () => {
    expect(parseArgs(["--bogus", "-h"], CTL)).toMatchObject({ help: true });
    expect(parseArgs(["rq"], CTL)).toMatchObject({ help: false });
  });

  test("skip leaves the command name out (options before it are read as the command's)", () => {
    expect(args(["-s", "/x.sock", "status", "--json", "rq"], CTL, 2)).toMatchObject({ _: ["rq"], socket: "/x.sock", json: true });
    expect(args(["--socket=/x", "-c", "c.ts", "stop", "rq"], CTL, 3)).toMatchObject({ _: ["rq"], socket: "/x", config: "c.ts" });
  });
});

describe("numberOrString", () => {
  test("numbers, and the text given otherwise", () => {
    expect(numberOrString("2.5")).toBe(2.5);
    expect(numberOrString("abc")).toBe("abc");
    expect(numberOrString("")).toBe("");
  });
});
