/**
 * Chaos: broken configs. Every setting with a wrong type, a file that throws
 * on import, one that never finishes importing, a missing
 * companion_config_file, a config deleted between start and reread: a clear
 * error naming the file and the setting, and on reread or HUP the old config
 * keeps running.
 */
import { expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { SETTING_NAMES } from "../../src/config/schema.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { FAST, fixture, runCli, withMaster } from "../helpers/master.ts";
import { processesUnder } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";

const runtime = await getRuntime();
const launcher = LAUNCHERS.bun;

test("every setting with a wrong type is an error naming the file, the setting and the value", async () => {
  const tmp = makeTempDir("gccfg");
  try {
    for (const name of SETTING_NAMES) {
      const wrong = name === "preload_app" ? "yes" : name === "companion_env" ? ["not", "an", "object"] : { wrong: true };
      const file = tmp.file(`${name}.json`, JSON.stringify({ [name]: wrong }));
      let error: unknown = null;
      try {
        await loadConfig(runtime, { configFile: file, overrides: {}, cwd: tmp.dir });
      } catch (caught) {
        error = caught;
      }
      expect({ name, isConfigError: error instanceof ConfigError }).toEqual({ name, isConfigError: true });
      expect((error as Error).message).toStartWith(`${file}: ${name}`);
      expect((error as Error).message).toContain(" = ");
    }
  } finally {
    tmp.cleanup();
  }
});

test("a config that throws on import, or never finishes importing, stops the master with the reason", async () => {
  const tmp = makeTempDir("gccfg");
  try {
    const throws = tmp.file("throws.mjs", 'throw new Error("config exploded");\n');
    const thrown = await runCli(launcher, ["master", "-c", throws], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toContain(`${throws}: (file): cannot load: config exploded`);
    const hangs = tmp.file("hangs.mjs", "await new Promise(() => {});\nexport const workers = 1;\n");
    const started = Date.now();
    const hung = await runCli(launcher, ["master", "-c", hangs], { cwd: tmp.dir, env: { TMPDIR: tmp.dir, GUNICORN_COMPANION_CONFIG_TIMEOUT: "1" } });
    expect(hung.code).toBe(1);
    expect(hung.stderr).toContain(`${hangs}: (file): cannot load: did not finish importing within 1s`);
    expect(Date.now() - started).toBeLessThan(10_000);
    const missing = tmp.file("main.json", JSON.stringify({ companion_config_file: "nope.json" }));
    const absent = await runCli(launcher, ["master", "-c", missing], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain(`${join(tmp.dir, "nope.json")}: (file): no such file`);
  } finally {
    tmp.cleanup();
  }
}, 60_000);

test("on reread and HUP, a config that hangs, throws or was deleted leaves the old one running", async () => {
  const config = { ...FAST, companion_workers: [fixture("a"), fixture("b")] };
  await withMaster(launcher, { config, format: "mjs", env: { GUNICORN_COMPANION_CONFIG_TIMEOUT: "1" } }, async (run) => {
    const before = await run.waitStates({ a: "RUNNING", b: "RUNNING" });
    const pids = () => [before.a?.pid ?? -1, before.b?.pid ?? -1];
    writeFileSync(run.configFile, "await new Promise(() => {});\nexport const companion_workers = [];\n");
    expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: false, kept_old_config: true, error: expect.stringContaining("did not finish importing within 1s") });
    writeFileSync(run.configFile, 'throw new Error("half-edited");\n');
    expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: false, kept_old_config: true, error: expect.stringContaining("half-edited") });
    rmSync(run.configFile);
    expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: false, kept_old_config: true, error: expect.stringContaining("no such file") });
    run.signal("SIGHUP");
    await run.waitOutput(/reload failed, keeping the running config: .*no such file/);
    expect((await run.status()).map((c) => c.pid)).toEqual(pids());
  });
}, 60_000);

test("a reread of a config stuck in a synchronous loop: the manager keeps answering, the importing child is killed, the old config runs on", async () => {
  const config = { ...FAST, companion_workers: [fixture("a")] };
  await withMaster(launcher, { config, format: "mjs", env: { GUNICORN_COMPANION_CONFIG_TIMEOUT: "1" } }, async (run) => {
    const { a } = await run.waitStates({ a: "RUNNING" });
    // A loop that never yields: the import's own time limit cannot fire in the process that runs it.
    writeFileSync(run.configFile, "for (;;) {}\nexport const companion_workers = [];\n");
    const started = Date.now();
    const reply = run.request({ cmd: "reread" });
    // Meanwhile the manager is not the one stuck.
    expect((await run.statusOf("a")).pid).toBe(a?.pid ?? -1);
    expect(await reply).toMatchObject({ ok: false, kept_old_config: true, error: expect.stringContaining("did not load within 6s (the child process that imports it was killed)") });
    expect(Date.now() - started).toBeGreaterThanOrEqual(5900);
    const importers = processesUnder(run.dir).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("reread-config");
      } catch {
        return false;
      }
    });
    expect(importers).toEqual([]);
    expect((await run.statusOf("a")).pid).toBe(a?.pid ?? -1);
  });
}, 60_000);
