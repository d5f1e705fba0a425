/**
 * The README's commands, run as written (the socket moved to a temp path
 * through EXAMPLE_SOCKET): the example with npm, bun, deno, node and the
 * binary, and the ctl of each. The npm install lines cannot run before the
 * package is published: their commands are checked here, and
 * test/dist/package.test.ts runs the same bin from the packed tarball.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, ROOT } from "./helpers/launchers.ts";
import { rawRequest } from "./helpers/master.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";
import { makeTempDir } from "./helpers/temp.ts";

const tmp = makeTempDir("gcreadme");
const socket = join(tmp.dir, "example.sock");
const env = { ...process.env, EXAMPLE_SOCKET: socket, TMPDIR: tmp.dir } as Record<string, string>;
afterAll(() => tmp.cleanup());

/** Runs a README command line through the shell, in its own process group. */
function start(command: string) {
  return Bun.spawn(["sh", "-c", command], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe", detached: true });
}

async function runningNames(): Promise<string[]> {
  const reply = await rawRequest(socket, { cmd: "status" }).catch(() => null);
  return ((reply?.companions as Array<{ name: string; state: string }> | undefined) ?? []).filter((c) => c.state === "RUNNING").map((c) => c.name);
}

/** Stops what `start` started with SIGTERM to its group and checks it is all gone. */
async function stop(proc: ReturnType<typeof start>): Promise<void> {
  const manager = (await rawRequest(socket, { cmd: "status" }).catch(() => null))?.companions as Array<{ pid: number | null }> | undefined;
  process.kill(-proc.pid, "SIGTERM");
  await proc.exited;
  await waitFor(() => !existsSync(socket), "the socket to be removed", 15_000);
  for (const c of manager ?? []) if (c.pid !== null) await waitFor(() => !isAlive(c.pid ?? 0), `companion ${c.pid} to be gone`, 15_000);
}

async function ctl(command: string): Promise<{ code: number; stdout: string }> {
  const proc = Bun.spawn(["sh", "-c", command], { cwd: ROOT, env, stdout: "pipe", stderr: "pipe" });
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return { code, stdout };
}

describe("README commands", () => {
  test("the npm section installs the package and runs its bin with npx, bunx --bun and deno run npm:", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### From npm"), readme.indexOf("### From a clone"));
    const lines = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "").split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
    expect(lines).toEqual([
      "npm install gunicorn-companion",
      "npx gunicorn-companion master -c gunicorn.conf.mjs",
      "npx gunicorn-companion -s /run/myapp/companion.sock status",
      "bunx --bun gunicorn-companion master -c gunicorn.conf.ts",
      "deno run -A npm:gunicorn-companion master -c gunicorn.conf.ts",
    ]);
    const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(Object.keys(manifest.bin)).toEqual(["gunicorn-companion"]);
    const packageTest = readFileSync(join(ROOT, "test/dist/package.test.ts"), "utf8");
    for (const way of ['"npm:gunicorn-companion"', "[bin(\"bun\"), installedBin]", "[installedBin]"]) expect(packageTest).toContain(way);
  });

  test("npm run example, then the ctl through bun, deno, node and the binary", async () => {
    const example = start("npm run example");
    try {
      await waitFor(async () => (await runningNames()).length === 3, "worker, scheduler and flaky to run", 30_000);
      for (const command of [
        `npx bun run ctl -s ${socket} status`,
        `npx deno task ctl -s ${socket} status`,
        `node dist/node/cli.mjs -s ${socket} status`,
        `${BINARY} -s ${socket} status`,
      ]) {
        const result = await ctl(command);
        expect({ command, code: result.code }).toEqual({ command, code: 0 });
        expect(result.stdout).toMatch(/^worker +RUNNING +pid \d+/m);
      }
      expect((await ctl(`npx bun run ctl -s ${socket} restart worker`)).stdout).toMatch(/^worker: started \(pid \d+\)$/m);
    } finally {
      await stop(example);
    }
  }, 120_000);

  for (const command of [
    "npx bun run master -c examples/basic/gunicorn.conf.ts",
    "npx deno task master -c examples/basic/gunicorn.conf.ts",
    `${BINARY} master -c examples/basic/gunicorn.conf.ts`,
    "node dist/node/cli.mjs master -c examples/node/gunicorn.conf.mjs",
  ]) {
    test(command, async () => {
      const master = start(command);
      try {
        await waitFor(async () => (await runningNames()).length >= 1, `${command} to run its companions`, 30_000);
      } finally {
        await stop(master);
      }
    }, 60_000);
  }

  test("sha256sum -c SHA256SUMS (in dist/)", () => {
    const result = Bun.spawnSync(["sha256sum", "-c", "SHA256SUMS"], { cwd: join(ROOT, "dist") });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.toString()).toContain(": OK");
  });
});
