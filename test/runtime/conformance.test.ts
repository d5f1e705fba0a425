/**
 * Runs test/runtime/conformance.ts inside Bun, Deno and Node (bundled for
 * Node 20) and checks every NDJSON line it prints.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { DENO_FLAGS, ROOT } from "../helpers/launchers.ts";
import { makeTempDir } from "../helpers/temp.ts";

const SCRIPT = join(ROOT, "test/runtime/conformance.ts");
const CHECKS = [
  "spawn failure is a SpawnError naming the command",
  "a bare program is looked up on the child's PATH, a miss names it",
  "exit code and signal are kept apart",
  "a group leader's group is signalled as a whole",
  "/proc is listed and read (Deno: through libc), a process found by its state directory marker",
  "stdout and stderr append to files, stderr can follow stdout",
  "cwd, env and pipes",
  "closing a child's stdin pipe is seen as end of file (the lifeline)",
  "unix sockets: request, half-close, reply",
  "signal handlers can be installed and removed",
  "self command points at this program",
  "parent-death signal: available on Linux for Bun and Deno, not Node",
  "importFresh evaluates a changed module again",
];

type Line = { check: string; runtime: string; ok: boolean; error?: string };

async function runConformance(argv: string[], scratch: string): Promise<Line[]> {
  const proc = Bun.spawn([...argv, scratch], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const lines = stdout.split("\n").filter((line) => line.startsWith("{"));
  if (lines.length === 0) throw new Error(`conformance printed nothing\n${stdout}\n${stderr}`);
  return lines.map((line) => JSON.parse(line) as Line);
}

const RUNTIMES: Record<string, (scratch: string) => Promise<string[]>> = {
  bun: async () => [join(ROOT, "node_modules/.bin/bun"), SCRIPT],
  deno: async () => [join(ROOT, "node_modules/.bin/deno"), "run", ...DENO_FLAGS, SCRIPT],
  node: async (scratch) => {
    const bundle = join(scratch, "conformance.mjs");
    const build = Bun.spawnSync([join(ROOT, "node_modules/.bin/bun"), "build", SCRIPT, "--target=node", `--outfile=${bundle}`], { cwd: ROOT });
    if (build.exitCode !== 0) throw new Error(`cannot bundle the conformance script: ${build.stderr.toString()}`);
    return ["node", bundle];
  },
};

for (const [runtime, command] of Object.entries(RUNTIMES)) {
  describe(`runtime conformance (${runtime})`, () => {
    let lines: Line[] = [];
    beforeAll(async () => {
      const tmp = makeTempDir(`gcc-${runtime}`);
      try {
        lines = await runConformance(await command(tmp.dir), tmp.dir);
      } finally {
        tmp.cleanup();
      }
    }, 60_000);
    for (const check of CHECKS) {
      test(check, () => {
        const line = lines.find((l) => l.check === check);
        expect(line).toBeDefined();
        expect(line).toEqual({ check, runtime, ok: true });
      });
    }
  });
}
