/**
 * reread with real processes: what it adds, removes, restarts and leaves
 * alone; manual stops kept; invalid configs that change nothing; the main
 * file versus companion_config_file.
 */
import { expect } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, waitFor, withMaster } from "../../helpers/master.ts";
import { e2e, e2eTypeScript } from "../e2e-test.ts";

const pidsOf = (statuses: Array<{ name: string; pid: number | null }>) => Object.fromEntries(statuses.map((c) => [c.name, c.pid]));

export function rereadTests(launcher: Launcher): void {
  e2e("reread adds, removes, restarts changed ones and leaves the rest alone (same pids)", async () => {
    const base = { ...FAST, companion_workers: [fixture("keep"), fixture("change"), fixture("drop"), fixture("manual")] };
    await withMaster(launcher, { config: base }, async (run) => {
      await run.waitStates({ keep: "RUNNING", change: "RUNNING", drop: "RUNNING", manual: "RUNNING" });
      expect(await run.request({ cmd: "stop", name: "manual", wait: true })).toMatchObject({ ok: true });
      const before = pidsOf(await run.status());
      run.writeConfig({
        ...FAST,
        companion_workers: [fixture("keep"), fixture("change", "run", { env: { FOO: "new" } }), fixture("manual", "run", { env: { FOO: "x" } }), fixture("added")],
      });
      const reply = await run.request({ cmd: "reread" });
      expect(reply).toEqual({ ok: true, added: ["added"], removed: ["drop"], restarted: ["change"], updated: ["manual"], unchanged: ["keep"] });
      const after = await run.waitStates({ keep: "RUNNING", change: "RUNNING", added: "RUNNING", manual: "STOPPED" });
      expect(after.keep?.pid).toBe(before.keep ?? -1);
      expect(after.change?.pid).not.toBe(before.change ?? -1);
      expect(after.manual?.description).toBe("stopped manually");
      await waitFor(async () => !(await run.status()).some((c) => c.name === "drop"), "drop to be gone");
      expect(isAlive(before.drop ?? 0)).toBe(false);
      expect(isAlive(before.change ?? 0)).toBe(false);
      // The new config of a companion stopped by hand applies when it is started.
      expect(await run.request({ cmd: "start", name: "manual", wait: true })).toMatchObject({ ok: true, state: "RUNNING" });
      const ctl = await run.cli(["-s", run.socket, "reread"]);
      expect(ctl).toMatchObject({ code: 0, stdout: "unchanged: keep, change, manual, added\n" });
    });
  });

  e2e("an invalid reread changes nothing and says the old config is kept", async () => {
    const config = { ...FAST, companion_workers: [fixture("a"), fixture("b")] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ a: "RUNNING", b: "RUNNING" });
      const before = pidsOf(await run.status());
      const invalid: Array<[string, Record<string, unknown>[] | string, string]> = [
        ["duplicate name", [fixture("a"), fixture("a")], "duplicate name"],
        ["unknown key", [fixture("a", "run", { stdot: "x" })], "unknown key"],
        ["bad signal", [fixture("a", "run", { stop_signal: "SIGTRM" })], "unknown signal"],
        ["negative timeout", [fixture("a", "run", { stop_timeout: -1 })], "must not be negative"],
        ["non-numeric startsecs", [fixture("a", "run", { startsecs: "soon" })], "expected a number of seconds"],
        ["empty name", [{ ...fixture("a"), name: "" }], "must not be empty"],
        ["target without a colon", [{ name: "a", target: "./x.mjs" }], 'expected "module:export"'],
        ['stdout "stdout"', [fixture("a", "run", { stdout: "stdout" })], '"stdout" is only valid for stderr'],
        ["syntax error", "{ this is not json", "invalid JSON"],
      ];
      for (const [what, companions, message] of invalid) {
        if (typeof companions === "string") writeFileSync(run.configFile, companions);
        else run.writeConfig({ ...FAST, companion_workers: [...companions, fixture("extra")] });
        const reply = await run.request({ cmd: "reread" });
        const error = String(reply.error);
        expect({ what, ok: reply.ok, kept: reply.kept_old_config }).toEqual({ what, ok: false, kept: true });
        expect(error).toStartWith(`invalid config: ${run.configFile}: `);
        expect(error).toContain(message);
      }
      expect(pidsOf(await run.status())).toEqual(before);
      const ctl = await run.cli(["-s", run.socket, "reread"]);
      expect(ctl.code).toBe(1);
      expect(ctl.stderr).toContain("(the old config keeps running)");
    });
  });

  e2eTypeScript(launcher, "a TypeScript config with a syntax error is refused on reread", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] }, format: "ts" }, async (run) => {
      const { a } = await run.waitStates({ a: "RUNNING" });
      writeFileSync(run.configFile, "export default { companion_workers: [ ;\n");
      const reply = await run.request({ cmd: "reread" });
      expect(reply).toMatchObject({ ok: false, kept_old_config: true, error: expect.stringContaining("cannot load") });
      expect((await run.statusOf("a")).pid).toBe(a?.pid ?? -1);
      run.writeConfig({ ...FAST, companion_workers: [fixture("a"), fixture("b")] });
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, added: ["b"], unchanged: ["a"] });
    });
  });

  e2e("companion_config_file: companions defined only there start, and reread reads that file", async () => {
    const companions = (names: string[]) => JSON.stringify({ companion_workers: names.map((name) => fixture(name)) });
    const config = { ...FAST, companion_config_file: "companions.json", companion_workers: [fixture("main-only")] };
    await withMaster(launcher, { config, files: { "companions.json": companions(["from-file"]) } }, async (run) => {
      await run.waitStates({ "from-file": "RUNNING" });
      expect((await run.status()).map((c) => c.name)).toEqual(["from-file"]);
      writeFileSync(join(run.dir, "companions.json"), companions(["from-file", "second"]));
      // The main file is not where companions come from now: its changes are not picked up by reread.
      run.writeConfig({ ...config, companion_workers: [fixture("main-only"), fixture("main-two")] });
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, added: ["second"], unchanged: ["from-file"], removed: [] });
      await run.waitStates({ "from-file": "RUNNING", second: "RUNNING" });
    });
  });

  e2e("a companion removed by reread that ignores SIGTERM is SIGKILLed after its stop_timeout", async () => {
    const config = { ...FAST, companion_workers: [fixture("stay"), fixture("stubborn", "ignoreTerm", { stop_timeout: 2 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { stubborn } = await run.waitStates({ stay: "RUNNING", stubborn: "RUNNING" });
      const pid = await run.waitReady("stubborn", stubborn?.pid);
      run.writeConfig({ ...FAST, companion_workers: [fixture("stay")] });
      const rereadAt = Date.now();
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, removed: ["stubborn"] });
      const removing = await run.statusOf("stubborn");
      expect(removing).toMatchObject({ state: "STOPPING", description: `pid ${pid}, stopping (removed from config)` });
      await run.waitOutput(`IGNORED SIGTERM stubborn ${pid}`);
      await waitFor(async () => !(await run.status()).some((c) => c.name === "stubborn"), "stubborn to be gone", 10_000);
      expect(Date.now() - rereadAt).toBeGreaterThanOrEqual(1900);
      expect(isAlive(pid)).toBe(false);
      await run.waitOutput(/\[companion:stubborn\] did not stop within its timeout; sending SIGKILL/);
    });
  });

  e2e("reread imports the config in a short-lived child process, never in the manager (docs/security.md)", async () => {
    const config = (names: string[]) => ({ ...FAST, companion_workers: names.map((name) => fixture(name)) });
    await withMaster(launcher, { config: config(["a"]), format: "mjs" }, async (run) => {
      await run.waitStates({ a: "RUNNING" });
      const manager = run.managerPid();
      const importers = join(run.dir, "imported-by");
      // A config with side effects: who imports it, and a line on stdout beside the child's result.
      const withSideEffect = (names: string[]) =>
        `import { appendFileSync } from "node:fs";\nappendFileSync(${JSON.stringify(importers)}, process.pid + "\\n");\n` +
        `console.log("config says hello");\nexport default ${JSON.stringify(config(names))};\n`;
      writeFileSync(run.configFile, withSideEffect(["a", "b"]));
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, added: ["b"], unchanged: ["a"] });
      writeFileSync(run.configFile, withSideEffect(["a"]));
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, removed: ["b"], unchanged: ["a"] });
      const pids = readFileSync(importers, "utf8").trim().split("\n").map(Number);
      expect(pids).toHaveLength(2);
      expect(manager).not.toBeNull();
      expect(pids).not.toContain(manager ?? -1);
      expect(pids).not.toContain(run.pid);
      expect(run.managerPid()).toBe(manager);
      // What the config printed still shows up, and it did not spoil the result.
      await run.waitOutput("config says hello");
    });
  });
}
