/**
 * The shipped artifacts: the compiled binary holds every role and runs alone
 * in an empty directory, ignores the operator's .env and bunfig.toml, and
 * every launcher reports its version and runtime.
 */
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { BINARY, LAUNCHERS } from "../helpers/launchers.ts";
import { rawRequest, runCli } from "../helpers/master.ts";
import { waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";
import manifest from "../../package.json" with { type: "json" };

/** The version of the `node` on PATH (Bun's process.versions.node is the Node version Bun mimics). */
const NODE_VERSION = Bun.spawnSync(["node", "--version"]).stdout.toString().trim().replace(/^v/, "");

describe("--version", () => {
  const expected: Record<string, RegExp> = {
    bun: new RegExp(`^gunicorn-companion ${manifest.version} \\(bun ${Bun.version}, linux x64\\)\\n$`),
    deno: new RegExp(`^gunicorn-companion ${manifest.version} \\(deno 2\\.\\d+\\.\\d+, linux x64\\)\\n$`),
    node: new RegExp(`^gunicorn-companion ${manifest.version} \\(node ${NODE_VERSION.replaceAll(".", "\\.")}, linux x64\\)\\n$`),
    node24: new RegExp(`^gunicorn-companion ${manifest.version} \\(node 24\\.\\d+\\.\\d+, linux x64\\)\\n$`),
    binary: new RegExp(`^gunicorn-companion ${manifest.version} \\(bun ${Bun.version} compiled, linux x64\\)\\n$`),
  };
  for (const launcher of Object.values(LAUNCHERS)) {
    if (launcher.unavailable !== null) {
      test.skip(`${launcher.name} prints the version and the runtime (${launcher.unavailable})`, () => {});
      continue;
    }
    test(`${launcher.name} prints the version and the runtime`, async () => {
      const result = await runCli(launcher, ["--version"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(expected[launcher.name] ?? /^$/);
    });
  }
});

describe("the compiled binary", () => {
  test("runs alone in an empty directory: master, manager, a .ts target and config importing gunicorn-companion, ctl", async () => {
    const tmp = makeTempDir("gcbin");
    const binary = join(tmp.dir, "gunicorn-companion");
    copyFileSync(BINARY, binary);
    const socket = join(tmp.dir, "s.sock");
    tmp.file("jobs.ts", "export async function run(): Promise<void> {\n  const n: number = 1;\n  console.log(`READY ${n}`);\n  await new Promise(() => {});\n}\n");
    tmp.file(
      "gunicorn.conf.ts",
      `import { defineConfig } from "gunicorn-companion";\nexport default defineConfig({ companion_control_socket: ${JSON.stringify(socket)}, companion_startsecs: 0.1, companion_workers: [{ name: "job", target: "./jobs.ts:run" }] });\n`,
    );
    const master = Bun.spawn([binary, "master", "-c", "gunicorn.conf.ts"], { cwd: tmp.dir, env: { PATH: "/usr/bin:/bin", TMPDIR: tmp.dir }, stdout: "ignore", stderr: "pipe" });
    try {
      await waitFor(async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => null))?.companions as Array<{ state: string }> | undefined)?.[0]?.state === "RUNNING", "the companion to run", 20_000);
      const ctl = Bun.spawnSync([binary, "-s", socket, "status"], { cwd: tmp.dir });
      expect(ctl.exitCode).toBe(0);
      expect(ctl.stdout.toString()).toMatch(/^job +RUNNING +pid \d+, uptime/);
      master.kill("SIGTERM");
      expect(await master.exited).toBe(0);
      expect(existsSync(socket)).toBe(false);
    } finally {
      master.kill("SIGKILL");
      tmp.cleanup();
    }
  }, 60_000);

  test("ignores .env and bunfig.toml in the working directory", async () => {
    const tmp = makeTempDir("gcenv");
    try {
      tmp.file(".env", "GUNICORN_COMPANION_SOCKET=/tmp/from-dotenv.sock\n");
      tmp.file("bunfig.toml", 'preload = ["./preload.ts"]\n');
      tmp.file("preload.ts", `require("node:fs").writeFileSync(${JSON.stringify(join(tmp.dir, "preloaded"))}, "yes");\n`);
      const result = Bun.spawnSync([BINARY, "status"], { cwd: tmp.dir, env: { PATH: "/usr/bin:/bin" } });
      expect(result.exitCode).toBe(2);
      expect(result.stderr.toString()).toContain("no control socket");
      expect(existsSync(join(tmp.dir, "preloaded"))).toBe(false);
    } finally {
      tmp.cleanup();
    }
  });
});

test("node says which Node versions load a TypeScript config", async () => {
  const tmp = makeTempDir("gcnts");
  try {
    const file = tmp.file("gunicorn.conf.ts", "export const workers: number = 2;\n");
    const result = await runCli(LAUNCHERS.node, ["master", "-c", file], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${file}: (file): Node ${NODE_VERSION} cannot load TypeScript config files; Node 22.18+ (or 22.6+ with --experimental-strip-types) can`);
  } finally {
    tmp.cleanup();
  }
});
