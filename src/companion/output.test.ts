import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../../test/helpers/temp.ts";
import { companion, config } from "./supervisor.fixtures.ts";
import { createCompanionOutputs, type OutputDeps } from "./output.ts";
import type { ByteStream } from "../runtime/index.ts";
import { createSystemClock } from "../supervise/clock.ts";

const temp = makeTempDir("output");
afterAll(() => temp.cleanup());

const encoder = new TextEncoder();
/** A pipe that yields `chunks`, then ends. */
const pipe = (...chunks: string[]): ByteStream => {
  const left = chunks.map((chunk) => encoder.encode(chunk));
  return { read: async () => left.shift() ?? null, close() {} };
};

function harness() {
  const written: Array<[string, string]> = [];
  const deps: OutputDeps = {
    write: async (stream, bytes) => void written.push([stream, new TextDecoder().decode(bytes)]),
    colour: { stdout: false, stderr: false },
    clock: { ...createSystemClock(), now: () => 1_000 },
    warn: (name, message) => {
      throw new Error(`${name}: ${message}`);
    },
  };
  return { outputs: createCompanionOutputs(deps), written };
}

test("inherited streams are pipes, prefixed with the name padded to the longest, partial last lines flushed at the end", async () => {
  const { outputs, written } = harness();
  const specs = [companion("a"), companion("longer")];
  outputs.configure(config(specs));
  expect(outputs.prepare("a", specs[0] as never)).toEqual({ stdout: "pipe", stderr: "pipe" });
  outputs.attach("a", { stdout: pipe("one\ntw", "o\nthree"), stderr: pipe("oops\n") });
  await outputs.close(1000);
  expect(written.filter(([stream]) => stream === "stdout").map(([, text]) => text).join("")).toBe("a      | one\na      | two\na      | three\n");
  expect(written.filter(([stream]) => stream === "stderr").map(([, text]) => text).join("")).toBe("a      | oops\n");
  expect(outputs.ring("a", "stdout")?.tail(2).map((entry) => new TextDecoder().decode(entry.line))).toEqual(["two", "three"]);
  expect(outputs.ring("a", "stderr")?.tail(5).map((entry) => entry.time)).toEqual([1_000]);
  expect(outputs.ring("longer", "stdout")).toBeNull();
});

test("without the prefix an inherited stream is the child's own descriptor; stderr \"stdout\" shares stdout's file, each stream keeps its ring", async () => {
  const { outputs, written } = harness();
  const file = join(temp.dir, "merged.log");
  const inherit = companion("raw");
  const merged = companion("m", { stdout: file, stderr: "stdout" });
  outputs.configure({ ...config([inherit, merged]), log_prefix: false });
  expect(outputs.prepare("raw", inherit)).toEqual({ stdout: "inherit", stderr: "inherit" });
  expect(outputs.prepare("raw", companion("raw", { stderr: "stdout" }))).toEqual({ stdout: "inherit", stderr: "stdout" });
  expect(outputs.prepare("m", merged)).toEqual({ stdout: "pipe", stderr: "pipe" });
  outputs.attach("m", { stdout: pipe("out 1\n"), stderr: pipe("err 1\n") });
  await outputs.close(1000);
  expect(written).toEqual([]);
  expect(readFileSync(file, "utf8").split("\n").sort()).toEqual(["", "err 1", "out 1"]);
  expect(outputs.ring("m", "stderr")?.tail(5).map((entry) => new TextDecoder().decode(entry.line))).toEqual(["err 1"]);
});

test("drained resolves once a process's pipes ended and their lines are passed on, or after the grace when a pipe stays open", async () => {
  const { outputs, written } = harness();
  const spec = companion("d");
  outputs.configure(config([spec]));
  outputs.prepare("d", spec);
  const ended = { stdout: pipe("last words\n"), stderr: pipe() };
  outputs.attach("d", ended);
  await outputs.drained(ended, 5_000);
  expect(written).toEqual([["stdout", "d | last words\n"]]);

  // A grandchild keeps the pipe open: the wait ends after the grace, what came is passed on.
  let release: (() => void) | undefined;
  const held: ByteStream = { read: () => new Promise((resolve) => (release = () => resolve(null))), close() {} };
  const open = { stdout: pipe("partial"), stderr: held };
  outputs.attach("d", open);
  const started = performance.now();
  await outputs.drained(open, 50);
  expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  expect(outputs.drained({ stdout: null, stderr: null }, 50)).toBeUndefined();
  release?.();
  await outputs.close(1000);
  expect(written.at(-1)).toEqual(["stdout", "d | partial\n"]);
});
