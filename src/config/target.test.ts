import { expect, test } from "bun:test";
import { parseModuleExport } from "./target.ts";

test("a companion target needs an export: module:export, split at the last colon", () => {
  expect(parseModuleExport("./jobs/worker.ts:run", null)).toEqual({ module: "./jobs/worker.ts", exportName: "run" });
  expect(parseModuleExport("C:/a:b.ts:run", null)).toEqual({ module: "C:/a:b.ts", exportName: "run" });
  expect(parseModuleExport("@scope/pkg:$start_1", null)).toEqual({ module: "@scope/pkg", exportName: "$start_1" });
  for (const bad of ["./jobs.ts", ":run", "./jobs.ts:", "./jobs.ts:1run", "./jobs.ts:a-b"]) expect(parseModuleExport(bad, null)).toBeNull();
});

test("an app without an export name uses the default export", () => {
  expect(parseModuleExport("app.ts", "default")).toEqual({ module: "app.ts", exportName: "default" });
  expect(parseModuleExport("./src/app.ts:server", "default")).toEqual({ module: "./src/app.ts", exportName: "server" });
  expect(parseModuleExport("/abs/app.mjs:default", "default")).toEqual({ module: "/abs/app.mjs", exportName: "default" });
  expect(parseModuleExport("./app.ts:", "default")).toEqual({ module: "./app.ts:", exportName: "default" });
});
