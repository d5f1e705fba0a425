import { expect, test } from "bun:test";
import { type ArgDef, parseArgs } from "../args.ts";
import { MASTER_ARGS, overridesFromArgs } from "./master.ts";

const overrides = (argv: string[]) => overridesFromArgs(parseArgs(argv, MASTER_ARGS as Record<string, ArgDef>).args as never);

test("master options become settings: repeated binds, attached short values, values with =", () => {
  expect(overrides(["app.ts:handler", "-b", "127.0.0.1:8000", "--bind=unix:/x", "-bunix:/y", "-w4", "--pid=/tmp/a=b.pid", "--max-requests", "10", "--preload"])).toEqual({
    app: "app.ts:handler",
    bind: ["127.0.0.1:8000", "unix:/x", "unix:/y"],
    workers: 4,
    max_requests: 10,
    preload_app: true,
    pidfile: "/tmp/a=b.pid",
  });
  expect(overrides(["-w", "lots", "--access-logfile", "-"])).toEqual({ workers: "lots", accesslog: "-" });
  expect(overrides([])).toEqual({});
});
