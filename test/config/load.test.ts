import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { hashCompanion, hashCompanionConfig, loadConfig, reloadCompanionConfig, companionConfigOf } from "../../src/config/index.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { makeTempDir } from "../helpers/temp.ts";

const runtime = await getRuntime();
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir("gc-config");
});
afterEach(() => tmp.cleanup());

const load = (configFile: string | null, overrides: Record<string, unknown> = {}) => loadConfig(runtime, { configFile, overrides, cwd: tmp.dir });

async function configError(configFile: string, overrides: Record<string, unknown> = {}): Promise<ConfigError> {
  try {
    await load(configFile, overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

const worker = (extra: Record<string, unknown> = {}) => ({ name: "rq", target: "./w.mjs:run", ...extra });

describe("file formats", () => {
  test("json", async () => {
    const file = tmp.file("c.json", JSON.stringify({ workers: 3, companion_workers: [worker()] }));
    const { settings } = await load(file);
    expect(settings.workers).toBe(3);
    expect(settings.companion_workers[0]).toMatchObject({ name: "rq", cwd: tmp.dir, stop_signal: "SIGTERM", stop_timeout: 60, startsecs: 1 });
  });
  test("ts with named exports and ts with a default object", async () => {
    const named = tmp.file("a.ts", 'export const workers: number = 2;\nexport const companion_workers = [{ name: "a", target: "./x.ts:run" }];\n');
    expect((await load(named)).settings.workers).toBe(2);
    const byDefault = tmp.file("b.mts", "export default { workers: 4 };\n");
    expect((await load(byDefault)).settings.workers).toBe(4);
  });
  test("mjs and js", async () => {
    expect((await load(tmp.file("c.mjs", "export const timeout = 2.5;\n"))).settings.timeout).toBe(2.5);
    expect((await load(tmp.file("d.js", "export default { graceful_timeout: 7 };\n"))).settings.graceful_timeout).toBe(7);
  });
  test("mixing a default export with named exports is an error", async () => {
    const error = await configError(tmp.file("m.ts", "export const workers = 1;\nexport default { workers: 2 };\n"));
    expect(error.message).toContain("m.ts");
    expect(error.message).toContain("mixes a default export with named exports (workers)");
  });
  test("unsupported type, missing file, invalid JSON, syntax error", async () => {
    expect((await configError(tmp.file("c.yaml", "workers: 1"))).message).toContain('unsupported config file type ".yaml"');
    expect((await configError(`${tmp.dir}/nope.ts`)).message).toContain("nope.ts: (file): no such file");
    expect((await configError(tmp.file("bad.json", "{ workers: 1 }"))).message).toContain("invalid JSON");
    expect((await configError(tmp.file("syntax.ts", "export const workers = ;\n"))).message).toMatch(/syntax\.ts: \(file\): cannot load/);
  });
  test("unknown settings and spec keys get the closest known name as a hint", async () => {
    const { warnings } = await load(tmp.file("h.json", JSON.stringify({ worker: 2, companion_restart_dealy: 1, zzzzzz: 1 })));
    expect(warnings).toEqual([
      `${tmp.dir}/h.json: unknown setting "worker" (ignored); did you mean "workers"?`,
      `${tmp.dir}/h.json: unknown setting "companion_restart_dealy" (ignored); did you mean "companion_restart_delay"?`,
      `${tmp.dir}/h.json: unknown setting "zzzzzz" (ignored)`,
    ]);
    const error = await configError(tmp.file("k.json", JSON.stringify({ companion_workers: [worker({ stop_signl: "SIGINT" })] })));
    expect(error.issues).toEqual([{ path: "companion_workers[0].stop_signl", companion: "rq", message: 'unknown key; did you mean "stop_signal"?' }]);
  });

  test("a strict load makes ignored settings issues, together with every other issue", async () => {
    const companions = tmp.file("comp.json", JSON.stringify({ workers: 3, companion_worker: [] }));
    const file = tmp.file("s.json", JSON.stringify({ worker: 2, timeout: "x", companion_config_file: companions }));
    expect((await load(file).catch((e: unknown) => e)) instanceof ConfigError).toBe(true); // timeout is wrong either way
    const ok = tmp.file("ok.json", JSON.stringify({ worker: 2 }));
    expect((await load(ok)).warnings).toHaveLength(1);
    let caught: unknown;
    await loadConfig(runtime, { configFile: file, overrides: {}, cwd: tmp.dir, strict: true }).catch((e: unknown) => (caught = e));
    if (!(caught instanceof ConfigError)) throw new Error("expected a ConfigError");
    expect(caught.issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      'worker: unknown setting; did you mean "workers"?',
      "timeout: expected a number of seconds",
      "workers: not a companion_* setting (not allowed in companion_config_file)",
      'companion_worker: not a companion_* setting (not allowed in companion_config_file); did you mean "companion_workers"?',
    ]);
    await expect(loadConfig(runtime, { configFile: ok, overrides: {}, cwd: tmp.dir, strict: true })).rejects.toThrow('worker: unknown setting; did you mean "workers"?');
  });

  test("an unknown setting is a warning naming it", async () => {
    const { warnings } = await load(tmp.file("w.json", JSON.stringify({ wrokers: 2 })));
    expect(warnings).toEqual([`${tmp.dir}/w.json: unknown setting "wrokers" (ignored); did you mean "workers"?`]);
  });
  test("a file is read again every time (module caches do not hide a change)", async () => {
    const file = tmp.file("again.ts", "export const workers = 1;\n");
    expect((await load(file)).settings.workers).toBe(1);
    tmp.file("again.ts", "export const workers = 5;\n");
    expect((await load(file)).settings.workers).toBe(5);
  });
});

describe("errors name the file, the setting path and the value", () => {
  const cases: Array<[string, unknown[], string]> = [
    ["duplicate name", [worker(), worker()], 'companion_workers[1].name = "rq": duplicate name (also companion_workers[0])'],
    ["unknown key", [worker({ stdot: "x" })], 'companion_workers[0].stdot (companion "rq"): unknown key'],
    ["bad signal", [worker({ stop_signal: "SIGTRM" })], 'companion_workers[0].stop_signal (companion "rq") = "SIGTRM": unknown signal'],
    ["negative timeout", [worker({ stop_timeout: -1 })], 'companion_workers[0].stop_timeout (companion "rq") = -1: must not be negative'],
    ["non-numeric startsecs", [worker({ startsecs: "1" })], 'companion_workers[0].startsecs (companion "rq") = "1": expected a number of seconds'],
    ["empty name", [{ name: "", target: "./w.mjs:run" }], 'companion_workers[0].name = "": must not be empty'],
    ["target without a colon", [worker({ target: "./w.mjs" })], 'companion_workers[0].target (companion "rq") = "./w.mjs": expected "module:export"'],
    ['stdout "stdout"', [worker({ stdout: "stdout" })], 'companion_workers[0].stdout (companion "rq") = "stdout": "stdout" is only valid for stderr'],
    ["missing target", [{ name: "rq" }], 'companion_workers[0].target (companion "rq"): is required'],
  ];
  for (const [what, companions, expected] of cases) {
    test(what, async () => {
      const file = tmp.file("bad.json", JSON.stringify({ companion_workers: companions }));
      const error = await configError(file);
      expect(error.message).toStartWith(`${file}: `);
      expect(error.message).toContain(expected);
    });
  }
  test("a wrong top-level type names the setting and value", async () => {
    const error = await configError(tmp.file("t.json", JSON.stringify({ workers: "many", companion_control_socket_mode: "rw" })));
    expect(error.message).toContain('workers = "many": expected a whole number');
    expect(error.message).toContain("companion_control_socket_mode");
  });
  test("companion_metrics_bind takes host:port only (no unix socket: Prometheus scrapes TCP)", async () => {
    for (const bad of ["unix:/tmp/m.sock", "localhost:http", "1.2.3.4:70000"]) {
      const error = await configError(tmp.file("m.json", JSON.stringify({ companion_metrics_bind: bad })));
      expect(error.message).toContain(`companion_metrics_bind = ${JSON.stringify(bad)}: expected "host:port" or "[::1]:port"`);
    }
    const { settings } = await load(tmp.file("ok.json", JSON.stringify({ companion_metrics_bind: "[::1]:9300" })));
    expect(companionConfigOf(settings).metrics_bind).toBe("[::1]:9300");
    // A change of it restarts the manager on HUP.
    const none = (await load(tmp.file("none.json", "{}"))).settings;
    expect(hashCompanionConfig(companionConfigOf(settings))).not.toBe(hashCompanionConfig(companionConfigOf(none)));
  });
  test("a bad value on the command line is attributed to the command line", async () => {
    const error = await configError(tmp.file("ok.json", "{}"), { workers: "abc" });
    expect(error.message).toBe('command line: workers = "abc": expected a whole number');
  });
});

describe("sources and resolution", () => {
  test("the command line wins over the file", async () => {
    const file = tmp.file("c.json", JSON.stringify({ workers: 2, companion_control_socket: "a.sock" }));
    const { settings } = await load(file, { workers: 5, companion_control_socket: "/run/b.sock" });
    expect(settings.workers).toBe(5);
    expect(settings.companion_control_socket).toBe("/run/b.sock");
  });
  test("companion_config_file replaces the main file's companion settings; companions only there start", async () => {
    tmp.file("companions.json", JSON.stringify({ companion_workers: [worker({ name: "only-here" })], companion_startsecs: 0.2, workers: 9 }));
    const main = tmp.file("main.json", JSON.stringify({ workers: 2, companion_config_file: "companions.json", companion_workers: [worker()], companion_stop_timeout: 3 }));
    const { settings, warnings } = await load(main);
    expect(settings.companion_workers.map((c) => c.name)).toEqual(["only-here"]);
    expect(settings.companion_workers[0]).toMatchObject({ startsecs: 0.2, stop_timeout: 3 });
    expect(settings.workers).toBe(2);
    expect(warnings.join("\n")).toContain('"workers" is not a companion_* setting');
  });
  test("per-companion keys fall back to the companion_* globals; env merges; paths become absolute", async () => {
    const file = tmp.file("c.json", JSON.stringify({
      companion_env: { A: "1", B: "1" }, companion_stop_signal: "INT", companion_stdout: "logs/all.log", companion_cwd: "app",
      companion_workers: [worker({ env: { B: "2" }, stderr: "stdout" }), worker({ name: "b", cwd: "/srv", stop_timeout: 0.5 })],
    }));
    const { settings } = await load(file);
    expect(settings.companion_workers[0]).toMatchObject({
      env: { A: "1", B: "2" }, stop_signal: "SIGINT", cwd: `${tmp.dir}/app`, stdout: `${tmp.dir}/app/logs/all.log`, stderr: "stdout",
    });
    expect(settings.companion_workers[1]).toMatchObject({ cwd: "/srv", stop_timeout: 0.5, stdout: "/srv/logs/all.log" });
    expect(settings.companion_manager_stop_timeout).toBe(60 + 10);
  });
  test("the manager stop timeout is derived from the slowest stop_timeout plus the buffer", async () => {
    const file = tmp.file("c.json", JSON.stringify({ companion_stop_timeout: 2, companion_manager_shutdown_buffer: 1.5, companion_workers: [worker(), worker({ name: "slow", stop_timeout: 7 })] }));
    expect((await load(file)).settings.companion_manager_stop_timeout).toBe(8.5);
  });
});

describe("config hash", () => {
  test("stable across key order, sensitive to every field, blind to restart_delay", async () => {
    const a = (await load(tmp.file("a.json", JSON.stringify({ companion_workers: [{ name: "rq", target: "./w.mjs:run", env: { X: "1", Y: "2" } }] })))).settings;
    const b = (await load(tmp.file("b.json", JSON.stringify({ companion_restart_delay: 9, companion_workers: [{ env: { Y: "2", X: "1" }, target: "./w.mjs:run", name: "rq" }] })))).settings;
    const [ca, cb] = [a.companion_workers[0], b.companion_workers[0]];
    if (ca === undefined || cb === undefined) throw new Error("missing companion");
    expect(hashCompanion(ca)).toBe(hashCompanion(cb));
    expect(hashCompanion(ca)).toMatch(/^[0-9a-f]{64}$/);
    for (const change of [{ startsecs: 2 }, { stop_signal: "SIGINT" as const }, { env: { X: "1" } }, { stdout: "/x" }, { reload_timeout: 1 }]) {
      expect(hashCompanion({ ...ca, ...change })).not.toBe(hashCompanion(ca));
    }
    expect(hashCompanionConfig(companionConfigOf(a))).not.toBe(hashCompanionConfig(companionConfigOf(b)));
  });
});

describe("reread loads only the companion settings", () => {
  test("from the main file, ignoring its other settings", async () => {
    const file = tmp.file("main.json", JSON.stringify({ companion_workers: [worker()] }));
    const sources = { configFile: file, overrides: {}, cwd: tmp.dir };
    tmp.file("main.json", JSON.stringify({ workers: "broken", companion_workers: [worker(), worker({ name: "new" })] }));
    const { companion } = await reloadCompanionConfig(runtime, sources, {});
    expect(companion.companions.map((c) => c.name)).toEqual(["rq", "new"]);
  });
  test("from companion_config_file when set, over the main file's companion settings as loaded", async () => {
    const companions = tmp.file("comp.json", JSON.stringify({ companion_workers: [worker()] }));
    const main = tmp.file("main.json", JSON.stringify({ companion_config_file: companions, companion_startsecs: 0.3 }));
    const loaded = await load(main);
    tmp.file("main.json", "not json at all");
    tmp.file("comp.json", JSON.stringify({ companion_workers: [worker({ name: "x" })] }));
    const { companion } = await reloadCompanionConfig(runtime, { configFile: main, overrides: {}, cwd: tmp.dir }, loaded.mainCompanionSettings);
    expect(companion.companions).toMatchObject([{ name: "x", startsecs: 0.3 }]);
  });
  test("an invalid companion file fails the whole reread", async () => {
    const companions = tmp.file("comp.json", JSON.stringify({ companion_workers: [worker()] }));
    const sources = { configFile: null, overrides: { companion_config_file: companions }, cwd: tmp.dir };
    tmp.file("comp.json", JSON.stringify({ companion_workers: [worker(), worker()] }));
    expect(reloadCompanionConfig(runtime, sources, {})).rejects.toThrow("duplicate name");
  });
});
