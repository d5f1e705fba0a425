/** The whole program type-checks (tsc with tsconfig.json: strict, erasableSyntaxOnly, no unused code). */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "./helpers/launchers.ts";

test("tsc --noEmit passes", async () => {
  const proc = Bun.spawn([join(ROOT, "node_modules/.bin/tsc"), "--noEmit", "-p", ROOT], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(`${stdout}${stderr}`).toBe("");
  expect(code).toBe(0);
}, 120_000);
