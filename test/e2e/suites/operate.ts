/**
 * Operating companions with real processes: names (`all`, a group, a plain
 * name), `signal`, `status`'s exit 3, `check -c` and `master --check-config`,
 * and the "did you mean …" hints of the ctl.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { e2e } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, runCli, waitFor, withMaster } from "../../helpers/master.ts";
import { processesUnder } from "../../helpers/processes.ts";
import { makeTempDir } from "../../helpers/temp.ts";

export function operateTests(launcher: Launcher): void {
  e2e("operate: all names every companion with per-member results; a plain name keeps the single reply", async () => {
    const config = { ...FAST, companion_workers: [fixture("a"), fixture("b"), fixture("c")] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ a: "RUNNING", b: "RUNNING", c: "RUNNING" });
      const stopped = await run.request({ cmd: "stop", name: "all", wait: true });
      expect(stopped).toEqual({
        ok: true,
        results: [
          { name: "a", ok: true, message: "stopped" },
          { name: "b", ok: true, message: "stopped" },
          { name: "c", ok: true, message: "stopped" },
        ],
      });
      const status = await run.status();
      expect(status.map((c) => c.state)).toEqual(["STOPPED", "STOPPED", "STOPPED"]);
      const one = await run.request({ cmd: "start", name: "b", wait: true });
      expect(one).toMatchObject({ ok: true, name: "b", state: "RUNNING", message: expect.stringMatching(/^started \(pid \d+\)$/) });
      expect(one.results).toBeUndefined();
      // The ctl prints one line per member.
      const table = await run.cli(["-s", run.socket, "start", "all"]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^a: started \(pid \d+\)\nb: already running\nc: started \(pid \d+\)\n$/);
      await run.waitStates({ a: "RUNNING", b: "RUNNING", c: "RUNNING" });
      const json = await run.cli(["-s", run.socket, "restart", "all", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, results: [{ name: "a", ok: true }, { name: "b", ok: true }, { name: "c", ok: true }] });
    });
  });

  e2e("operate: a numprocs group by name: status lists its members, restart and signal reply per member, a member alone keeps the single reply", async () => {
    const config = { ...FAST, companion_workers: [fixture("w", "logSignals", { numprocs: 3 }), fixture("solo")] };
    await withMaster(launcher, { config }, async (run) => {
      const before = await run.waitStates({ "w:0": "RUNNING", "w:1": "RUNNING", "w:2": "RUNNING", solo: "RUNNING" });
      const listed = (await run.request({ cmd: "status", names: ["w"] })) as { companions: Array<{ name: string }> };
      expect(listed.companions.map((c) => c.name)).toEqual(["w:0", "w:1", "w:2"]);
      const restarted = (await run.request({ cmd: "restart", name: "w", wait: true })) as { ok: boolean; results: Array<{ name: string; ok: boolean }> };
      expect(restarted.ok).toBe(true);
      expect(restarted.results.map((r) => [r.name, r.ok])).toEqual([["w:0", true], ["w:1", true], ["w:2", true]]);
      const after = await run.waitStates({ "w:0": "RUNNING", "w:1": "RUNNING", "w:2": "RUNNING", solo: "RUNNING" });
      for (const name of ["w:0", "w:1", "w:2"]) expect(after[name]?.pid).not.toBe(before[name]?.pid);
      expect(after.solo?.pid).toBe(before.solo?.pid);
      for (const name of ["w:0", "w:1", "w:2"]) await run.waitReady(name, after[name]?.pid);
      const signalled = (await run.request({ cmd: "signal", name: "w", signal: "USR1" })) as { ok: boolean; results: unknown[] };
      expect(signalled).toMatchObject({ ok: true });
      expect(signalled.results).toHaveLength(3);
      for (const name of ["w:0", "w:1", "w:2"]) await run.waitOutput(`GOT SIGUSR1 ${name} ${after[name]?.pid}`);
      expect(await run.request({ cmd: "stop", name: "w:1", wait: true })).toMatchObject({ ok: true, name: "w:1", state: "STOPPED" });
      const cli = await run.cli(["-s", run.socket, "status", "w"]);
      expect(cli.code).toBe(3);
      expect(cli.stdout).toMatch(/^w:1 +STOPPED/m);
    });
  });

  e2e("operate: signal NAME HUP reaches the companion; a stopped companion is an error", async () => {
    const config = { ...FAST, companion_workers: [fixture("sig", "logSignals"), fixture("other")] };
    await withMaster(launcher, { config }, async (run) => {
      const { sig } = await run.waitStates({ sig: "RUNNING", other: "RUNNING" });
      await run.waitReady("sig", sig?.pid);
      const sent = await run.cli(["-s", run.socket, "signal", "sig", "HUP"]);
      expect(sent).toMatchObject({ code: 0, stdout: `sig: sent SIGHUP to pid ${sig?.pid}\n` });
      await run.waitOutput(`GOT SIGHUP sig ${sig?.pid}`);
      expect(await run.request({ cmd: "signal", name: "sig", signal: "SIGUSR2" })).toMatchObject({ ok: true, name: "sig", state: "RUNNING", pid: sig?.pid });
      await run.waitOutput(`GOT SIGUSR2 sig ${sig?.pid}`);
      expect((await run.statusOf("sig")).pid).toBe(sig?.pid ?? -1);
      const bad = await run.cli(["-s", run.socket, "signal", "sig", "SIGNOPE"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain("unknown signal");
      await run.request({ cmd: "stop", name: "other", wait: true });
      const stopped = await run.cli(["-s", run.socket, "signal", "other", "HUP"]);
      expect(stopped).toMatchObject({ code: 1, stdout: "", stderr: "error: other: not running\n" });
      const all = await run.request({ cmd: "signal", name: "all", signal: "USR1" });
      expect(all).toEqual({ ok: false, results: [{ name: "sig", ok: true, message: `sent SIGUSR1 to pid ${sig?.pid}` }, { name: "other", ok: false, message: "not running" }] });
      await run.waitOutput(`GOT SIGUSR1 sig ${sig?.pid}`);
    });
  });

  e2e("operate: ctl output appended to a file (>>) keeps what the file held", async () => {
    const config = { ...FAST, companion_workers: [fixture("app")] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ app: "RUNNING" });
      const file = join(run.dir, "status.txt");
      writeFileSync(file, "earlier line\n");
      // Twice through a shell's >>: both outputs land after what was there.
      const argv = [...launcher.command, "-s", run.socket, "status", "app"].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(" ");
      for (let i = 0; i < 2; i++) {
        const shell = Bun.spawn(["/bin/sh", "-c", `${argv} >> '${file}'`], { stdout: "ignore", stderr: "pipe" });
        expect(await shell.exited).toBe(0);
      }
      const lines = readFileSync(file, "utf8").split("\n");
      expect(lines[0]).toBe("earlier line");
      expect(lines.filter((line) => /^app\s+RUNNING/.test(line))).toHaveLength(2);
    });
  });

  e2e("operate: status exits 3 while a companion is not RUNNING, 0 when all are; unknown names get a hint", async () => {
    // flaky crashes 50 ms after it is ready, long before its startsecs (5 s, which no slow boot on a loaded machine reaches): never RUNNING.
    const config = { ...FAST, companion_restart_delay: 0.2, companion_workers: [fixture("steady"), fixture("flaky", "crash", { startsecs: 5 })] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ steady: "RUNNING" });
      const crashing = await run.cli(["-s", run.socket, "status"]);
      expect(crashing.code).toBe(3);
      expect(crashing.stdout).toMatch(/flaky/);
      expect((await run.cli(["-s", run.socket, "status", "steady"])).code).toBe(0);
      expect((await run.cli(["-s", run.socket, "status", "flaky", "--json"])).code).toBe(3);
      await run.request({ cmd: "stop", name: "flaky", wait: true });
      expect((await run.cli(["-s", run.socket, "status"])).code).toBe(3);
      const typo = await run.cli(["-s", run.socket, "stop", "steddy"]);
      expect(typo).toMatchObject({ code: 1, stderr: 'error: unknown companion "steddy"; did you mean "steady"?\n' });
      expect(await run.request({ cmd: "status", names: ["flakey"] })).toEqual({ ok: false, error: 'unknown companion "flakey"; did you mean "flaky"?' });
      run.writeConfig({ ...FAST, companion_workers: [fixture("steady")] });
      await run.request({ cmd: "reread" });
      await waitFor(async () => (await run.status()).length === 1, "flaky removed");
      expect((await run.cli(["-s", run.socket, "status"])).code).toBe(0);
    });
  });

  e2e("operate: check -c and master --check-config list a good config, every issue of a bad one, start nothing", async () => {
    const tmp = makeTempDir("gco");
    try {
      const socket = join(tmp.dir, "c.sock");
      const extra = tmp.file("companions.json", JSON.stringify({ companion_workers: [fixture("mailer")] }));
      const good = tmp.file("good.json", JSON.stringify({ ...FAST, companion_control_socket: socket, companion_config_file: extra, companion_workers: [fixture("x")] }));
      const bad = tmp.file("bad.json", JSON.stringify({ worker: 2, companion_control_socket: socket, companion_workers: [fixture("a", "run", { stop_signl: "TERM" }), { name: "b" }] }));
      const env = { TMPDIR: tmp.dir, FIXTURE_DIR: tmp.dir };
      for (const args of [["check", "-c", good], ["master", "-c", good, "--check-config"]]) {
        const ok = await runCli(launcher, args, { cwd: tmp.dir, env });
        expect(ok).toMatchObject({ code: 0, stderr: "" });
        expect(ok.stdout).toContain(`config ok: ${good} with companion_config_file ${extra}`);
        expect(ok.stdout).toMatch(/^mailer +target \S+companions\.mjs:run +1 +always, 0\.1s$/m);
      }
      for (const args of [["check", bad], ["master", "--check-config", "-c", bad]]) {
        const failed = await runCli(launcher, args, { cwd: tmp.dir, env });
        expect(failed).toMatchObject({ code: 1, stdout: "" });
        expect(failed.stderr).toContain(`error: ${bad}: worker: unknown setting; did you mean "workers"?`);
        expect(failed.stderr).toContain('companion_workers[0].stop_signl (companion "a"): unknown key; did you mean "stop_signal"?');
        expect(failed.stderr).toContain('companion_workers[1].target (companion "b"): is required');
        expect(failed.stderr).toContain("3 issues found");
      }
      expect(existsSync(socket)).toBe(false);
      expect(existsSync(join(tmp.dir, "pids"))).toBe(false);
      expect(processesUnder(tmp.dir)).toEqual([]);
      const typo = await runCli(launcher, ["stauts"], { cwd: tmp.dir, env });
      expect(typo).toMatchObject({ code: 2, stdout: "", stderr: 'gunicorn-companion: unknown command "stauts"; did you mean "status"?\n' });
    } finally {
      tmp.cleanup();
    }
  });
}
