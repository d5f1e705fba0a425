/**
 * ../shared/DESIGN.md: only src/runtime/ touches Bun, Deno, node:child_process
 * and node:net. This check fails the suite when anything else does.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./helpers/launchers.ts";

const FORBIDDEN = /\bBun\.|\bDeno\.|["']node:child_process["']|["']node:net["']/;

test("only src/runtime/ reaches the runtimes' own APIs", async () => {
  const offenders: string[] = [];
  for await (const file of new Bun.Glob("src/**/*.ts").scan({ cwd: ROOT })) {
    if (file.startsWith("src/runtime/")) continue;
    readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .forEach((line, index) => {
        if (FORBIDDEN.test(line)) offenders.push(`${file}:${index + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});

test("the companion process does not load the config validator or the CLI's master", async () => {
  // What a companion imports is what every idle companion pays for in memory.
  const child = readFileSync(join(ROOT, "src/roles/companion.ts"), "utf8");
  expect(child).not.toMatch(/from "valibot"|config\/schema|config\/load|master\//);
});
