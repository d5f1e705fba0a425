/**
 * The Redis client is paid for only by a manager with singleton leases
 * (docs/multi-host.md): ioredis is imported in one module, dynamically, and
 * nothing on the static import path of the CLI (ctl, master, a manager
 * without leases) reaches that module.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { ROOT } from "./helpers/launchers.ts";

const source = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** The files under src/ that `file` imports statically (`import … from`, `export … from`, `import "…"`). */
function staticImports(file: string): string[] {
  const text = source(file);
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+["'](\.[^"']+\.ts)["']|^import\s+["'](\.[^"']+\.ts)["']/gms)].map((m) =>
    normalize(join(dirname(file), m[1] ?? m[2] ?? "")),
  );
}

test("ioredis is imported only by src/runtime/redis.ts, and only dynamically", async () => {
  const importers: string[] = [];
  for await (const file of new Bun.Glob("src/**/*.ts").scan({ cwd: ROOT })) {
    if (/["']ioredis["']/.test(source(file))) importers.push(file);
  }
  expect(importers).toEqual(["src/runtime/redis.ts"]);
  const redis = source("src/runtime/redis.ts");
  expect(redis).toContain('await import("ioredis")');
  expect(redis).not.toMatch(/from\s+["']ioredis["']/);
});

test("no static import path from the CLI or a role's entry (ctl, master, manager) reaches the Redis client", () => {
  const seen = new Set<string>();
  const queue = ["src/cli/main.ts", "src/roles/ctl.ts", "src/roles/master.ts", "src/roles/manager.ts", "src/roles/companion.ts"];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  expect(seen.size).toBeGreaterThan(50);
  expect([...seen].filter((file) => file.includes("redis") || file.includes("/lease/open.ts"))).toEqual([]);
});
