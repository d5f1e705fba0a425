/**
 * The layers of docs/architecture.md, checked: only src/runtime/ touches Bun,
 * Deno, node:child_process and node:net; every import runs down the layers
 * (or stays in its own); and no files import each other in a loop.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { ROOT } from "./helpers/launchers.ts";

const FORBIDDEN = /\bBun\.|\bDeno\.|["']node:child_process["']|["']node:net["']/;

/** Bottom to top: a file may import from its own layer and the ones below it. */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ["runtime"],
  ["errors.ts", "exit-codes.ts", "version.ts", "log.ts", "load-module.ts", "gc-timer.ts", "suggest.ts", "bytes.ts"],
  ["supervise"],
  ["config"],
  ["control"],
  ["companion"],
  ["master"],
  ["roles"],
  ["cli", "index.ts"],
];

/** The layer of a file under src/ (its first path segment), as an index into LAYERS. */
function rankOf(file: string): number {
  const top = relative("src", file).split("/")[0] ?? "";
  const rank = LAYERS.findIndex((layer) => layer.includes(top));
  if (rank < 0) throw new Error(`${file} is in no layer: add "${top}" to LAYERS in test/layering.test.ts`);
  return rank;
}

/** Every source file (tests aside) with the files under src/ it imports, statically or with import("…"). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for await (const file of new Bun.Glob("src/**/*.ts").scan({ cwd: ROOT })) {
    if (file.endsWith(".test.ts") || file.endsWith(".d.ts")) continue;
    const text = readFileSync(join(ROOT, file), "utf8");
    const targets = [...text.matchAll(/(?:\bfrom|\bimport\()\s*["'](\.[^"']+\.ts)["']/g)].map((m) => normalize(join(dirname(file), m[1] ?? "")));
    graph.set(file, targets);
  }
  return graph;
}

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

/** Imports that run up a layer, as `file -> target`. */
function findUpward(graph: Map<string, string[]>): string[] {
  const upward: string[] = [];
  for (const [file, targets] of graph) for (const target of targets) if (rankOf(target) > rankOf(file)) upward.push(`${file} -> ${target}`);
  return upward;
}

/** Import loops, each as `a -> b -> … -> a`. */
function findLoops(graph: Map<string, string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const loops: string[] = [];
  const visit = (file: string, path: string[]): void => {
    state.set(file, "open");
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === "open") loops.push([...path.slice(path.indexOf(target)), target].join(" -> "));
      else if (!state.has(target)) visit(target, [...path, target]);
    }
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  return loops;
}

test("no import runs back up a layer", async () => {
  expect(findUpward(await importGraph())).toEqual([]);
});

test("no files import each other in a loop", async () => {
  expect(findLoops(await importGraph())).toEqual([]);
});

test("the checks see an upward import and a loop when there is one", () => {
  const graph = new Map([
    ["src/config/schema.ts", ["src/master/bind.ts"]],
    ["src/cli/run.ts", ["src/cli/commands/companion.ts"]],
    ["src/cli/commands/companion.ts", ["src/cli/run.ts"]],
  ]);
  expect(findUpward(graph)).toEqual(["src/config/schema.ts -> src/master/bind.ts"]);
  expect(findLoops(graph)).toEqual(["src/cli/run.ts -> src/cli/commands/companion.ts -> src/cli/run.ts"]);
  expect(() => rankOf("src/elsewhere/x.ts")).toThrow("is in no layer");
});

test("the companion process does not load the config validator or the CLI's master", async () => {
  // What a companion imports is what every idle companion pays for in memory.
  const child = readFileSync(join(ROOT, "src/roles/companion.ts"), "utf8");
  expect(child).not.toMatch(/from "valibot"|config\/schema|config\/load|master\//);
});
