import { expect, test } from "bun:test";
import { paceSpawns } from "./pace.ts";
import type { ChildHandle, SpawnOptions } from "./types.ts";

const child = (pid: number) => ({ pid }) as unknown as ChildHandle;

test("a burst of spawns starts one per turn, in order; failures reject their own caller only", async () => {
  const started: string[] = [];
  const turns: Array<() => void> = [];
  const spawn = paceSpawns(
    async (options: SpawnOptions) => {
      started.push(options.argv[0] as string);
      if (options.argv[0] === "bad") throw new Error("no such file");
      return child(started.length);
    },
    (run) => void turns.push(run),
  );
  const results = ["a", "bad", "c"].map((name) => spawn({ argv: [name] }).then((c) => c.pid, (e: Error) => e.message));
  expect(started).toEqual(["a"]);
  turns.shift()?.();
  expect(started).toEqual(["a", "bad"]);
  turns.shift()?.();
  expect(started).toEqual(["a", "bad", "c"]);
  turns.shift()?.();
  expect(turns).toHaveLength(0);
  expect(await Promise.all(results)).toEqual([1, "no such file", 3]);
  // Idle again: the next spawn starts at once.
  void spawn({ argv: ["d"] });
  expect(started).toEqual(["a", "bad", "c", "d"]);
});

test("a spawn that throws synchronously rejects", async () => {
  const spawn = paceSpawns(() => {
    throw new Error("sync");
  });
  await expect(spawn({ argv: ["x"] })).rejects.toThrow("sync");
});
