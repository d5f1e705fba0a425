import { expect, test } from "bun:test";
import { pathToFileURL } from "node:url";
import { isPathSpecifier, resolvePathUrl } from "./load-module.ts";

test.each([
  ["./jobs/worker.ts", "/srv/app", "/srv/app/jobs/worker.ts"],
  ["../common/x.mjs", "/srv/app", "/srv/common/x.mjs"],
  ["/abs/path with space/#hash?.ts", "/srv", "/abs/path with space/#hash?.ts"],
  ["jobs.ts", "/srv/a b/", "/srv/a b/jobs.ts"],
])("%s from %s is %s, escaped as pathToFileURL escapes it", (module, cwd, path) => {
  expect(resolvePathUrl(module, cwd)).toBe(pathToFileURL(path).href);
});

test("paths and package names", () => {
  expect(isPathSpecifier("./a")).toBe(true);
  expect(isPathSpecifier("/a")).toBe(true);
  expect(isPathSpecifier("a.ts")).toBe(true);
  expect(isPathSpecifier("bullmq")).toBe(false);
  expect(isPathSpecifier("@scope/pkg")).toBe(false);
});
