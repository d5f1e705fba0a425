/** deno.json is ready for JSR: `deno publish --dry-run` passes (no slow types in the public API), offline. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../helpers/launchers.ts";

test("deno publish --dry-run passes", async () => {
  // --allow-dirty: a working copy may hold uncommitted changes; a release tag never does.
  const proc = Bun.spawn([join(ROOT, "node_modules/.bin/deno"), "publish", "--dry-run", "--allow-dirty"], { cwd: ROOT, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const output = `${stdout}${stderr}`;
  expect(output).not.toContain("error[");
  expect(output).toContain("Dry run complete");
  expect(code).toBe(0);
}, 120_000);
