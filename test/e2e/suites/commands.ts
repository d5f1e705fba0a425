/**
 * Companion states and commands with real processes: every cell of the command
 * table, crashes and restarts, SIGKILL after stop_timeout, the ctl's output
 * and exit statuses, and targets that cannot be loaded.
 */
import { expect } from "bun:test";
import { e2e, e2eWithTool } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, waitFor, withMaster, type MasterRun } from "../../helpers/master.ts";

async function command(run: MasterRun, cmd: string, name: string, wait = false) {
  return run.request({ cmd, name, wait });
}

export function commandTests(launcher: Launcher): void {
  e2e("STOPPED: start starts, stop is a no-op, restart starts", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      await run.waitStates({ a: "RUNNING" });
      expect(await command(run, "stop", "a", true)).toMatchObject({ ok: true, state: "STOPPED", message: "stopped" });
      expect(await command(run, "stop", "a")).toMatchObject({ ok: true, state: "STOPPED", message: "already stopped" });
      const started = await command(run, "start", "a", true);
      expect(started).toMatchObject({ ok: true, state: "RUNNING" });
      await command(run, "stop", "a", true);
      const restarted = await command(run, "restart", "a", true);
      expect(restarted).toMatchObject({ ok: true, state: "RUNNING" });
      expect(restarted.pid).not.toBe(started.pid);
    });
  });

  e2e("STARTING: start is ok, stop stops, restart restarts", async () => {
    const config = { ...FAST, companion_workers: [fixture("slow", "run", { startsecs: 30 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { slow } = await run.waitStates({ slow: "STARTING" });
      await waitFor(async () => (await run.statusOf("slow")).pid !== null, "a pid");
      expect(await command(run, "start", "slow")).toMatchObject({ ok: true, state: "STARTING", message: "already starting" });
      const restart = await command(run, "restart", "slow");
      expect(restart).toMatchObject({ ok: true, message: "restarting" });
      const again = await run.waitStates({ slow: "STARTING" });
      await waitFor(async () => (await run.statusOf("slow")).pid !== null, "a new pid");
      expect((await run.statusOf("slow")).pid).not.toBe(slow?.pid ?? -1);
      expect(again.slow?.restart_count).toBeGreaterThanOrEqual(1);
      expect(await command(run, "stop", "slow", true)).toMatchObject({ ok: true, state: "STOPPED" });
    });
  });

  e2e("RUNNING: start is ok, restart gives a new pid, stop stops the process", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      const { a } = await run.waitStates({ a: "RUNNING" });
      expect(await command(run, "start", "a")).toMatchObject({ ok: true, state: "RUNNING", message: "already running" });
      const restarted = await command(run, "restart", "a", true);
      expect(restarted).toMatchObject({ ok: true, state: "RUNNING" });
      expect(restarted.pid).not.toBe(a?.pid);
      expect(isAlive(a?.pid ?? 0)).toBe(false);
      expect(await command(run, "stop", "a", true)).toMatchObject({ ok: true, state: "STOPPED" });
      expect(isAlive(Number(restarted.pid))).toBe(false);
      expect(await run.statusOf("a")).toMatchObject({ description: "stopped manually", last_exit_signal: "SIGTERM" });
    });
  });

  e2e("BACKOFF: start and restart start now, stop cancels the retry", async () => {
    // 45 s: far from any unit boundary of the description ("44s" or "45s").
    const config = { ...FAST, companion_restart_delay: 45, companion_workers: [fixture("c", "crash", { startsecs: 0 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { c } = await run.waitStates({ c: "BACKOFF" });
      expect(c?.description).toMatch(/^exited with status 1, retrying in \d+s$/);
      expect(c?.next_retry_at).toBeGreaterThan(Date.now() / 1000 + 30);
      expect(await command(run, "start", "c")).toMatchObject({ ok: true, message: "starting" });
      await run.waitStates({ c: "BACKOFF" });
      expect(await command(run, "restart", "c")).toMatchObject({ ok: true, message: "starting" });
      const after = await run.waitStates({ c: "BACKOFF" });
      expect(after.c?.exit_count).toBeGreaterThanOrEqual(3);
      expect(await command(run, "stop", "c")).toMatchObject({ ok: true, state: "STOPPED", message: "stopped" });
      expect(await run.statusOf("c")).toMatchObject({ state: "STOPPED", next_retry_at: null });
    });
  });

  e2e("STOPPING: start and restart are refused, stop is ok; SIGKILL after stop_timeout", async () => {
    const config = { ...FAST, companion_workers: [fixture("stubborn", "ignoreTerm", { stop_timeout: 3 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { stubborn } = await run.waitStates({ stubborn: "RUNNING" });
      const pid = await run.waitReady("stubborn", stubborn?.pid);
      const stopped = command(run, "stop", "stubborn", true);
      await run.waitStates({ stubborn: "STOPPING" });
      expect(await command(run, "start", "stubborn")).toMatchObject({ ok: false, error: "stubborn: is stopping, retry later", state: "STOPPING" });
      expect(await command(run, "restart", "stubborn")).toMatchObject({ ok: false, error: "stubborn: is stopping, retry later" });
      expect(await command(run, "stop", "stubborn")).toMatchObject({ ok: true, message: "already stopping" });
      expect(isAlive(pid)).toBe(true);
      expect(await stopped).toMatchObject({ ok: true, state: "STOPPED" });
      expect(isAlive(pid)).toBe(false);
      expect(await run.statusOf("stubborn")).toMatchObject({ kill_count: 1, last_exit_signal: "SIGKILL" });
      expect(run.output()).toContain(`IGNORED SIGTERM stubborn ${pid}`);
    });
  });

  e2e("a crash goes to BACKOFF and comes back with a new pid", async () => {
    const config = { ...FAST, companion_restart_delay: 0.3, companion_workers: [fixture("c", "crash", { env: { CRASH_AFTER_MS: "400", EXIT_CODE: "3" } })] };
    await withMaster(launcher, { config }, async (run) => {
      const { c: first } = await run.waitStates({ c: "RUNNING" });
      const { c: backoff } = await run.waitStates({ c: "BACKOFF" });
      expect(backoff).toMatchObject({ last_exit_code: 3, pid: null, restart_delay: 0.3 });
      const next = await waitFor(async () => {
        const c = await run.statusOf("c");
        return c.pid !== null && c.pid !== first?.pid ? c : null;
      }, "a restarted process");
      expect(next.restart_count).toBeGreaterThanOrEqual(1);
      expect(isAlive(first?.pid ?? 0)).toBe(false);
    });
  });

  e2e("ctl: table, --json, waiting by default, --no-wait, exit codes 0/1/2", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("alpha"), fixture("beta", "ignoreTerm", { stop_timeout: 0.5 })] } }, async (run) => {
      const { beta } = await run.waitStates({ alpha: "RUNNING", beta: "RUNNING" });
      await run.waitReady("beta", beta?.pid);
      const table = await run.cli(["-s", run.socket, "status"]);
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/^alpha {28}RUNNING {3}pid \d+, uptime 0:00:0\d\nbeta {29}RUNNING {3}pid \d+, uptime/);
      const json = await run.cli(["status", "--json", "beta", "-s", run.socket]);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, companions: [{ name: "beta", state: "RUNNING" }] });
      const noWait = await run.cli(["-s", run.socket, "stop", "beta", "--no-wait", "--json"]);
      expect(JSON.parse(noWait.stdout)).toMatchObject({ ok: true, state: "STOPPING", message: "stopping" });
      await run.waitStates({ beta: "STOPPED" });
      const started = await run.cli(["-s", run.socket, "start", "beta"]);
      expect(started).toMatchObject({ code: 0 });
      expect(started.stdout).toMatch(/^beta: started \(pid \d+\)\n$/);
      const unknown = await run.cli(["-s", run.socket, "stop", "gamma"]);
      expect(unknown).toMatchObject({ code: 1, stdout: "", stderr: 'error: unknown companion "gamma"\n' });
      const viaEnv = await run.cli(["status"], { GUNICORN_COMPANION_SOCKET: run.socket });
      expect(viaEnv.code).toBe(0);
      const viaConfig = await run.cli(["status", "-c", run.configFile], { GUNICORN_COMPANION_SOCKET: "" });
      expect(viaConfig.code).toBe(0);
      expect(viaConfig.stdout).toContain("alpha");
      const nowhere = await run.cli(["status"], { GUNICORN_COMPANION_SOCKET: "" });
      expect(nowhere.code).toBe(2);
      expect(nowhere.stderr).toContain("no control socket");
      const unreachable = await run.cli(["-s", `${run.dir}/none.sock`, "status"]);
      expect(unreachable).toMatchObject({ code: 2, stdout: "" });
      expect(unreachable.stderr).toContain("cannot reach the control socket");
      const usage = await run.cli(["-s", run.socket, "stop"]);
      expect(usage.code).toBe(2);
      const badOption = await run.cli(["-s", run.socket, "status", "--bogus"]);
      expect(badOption).toMatchObject({ code: 2 });
      expect(badOption.stderr).toContain("unknown option --bogus");
    });
  });

  e2eWithTool("socat", "socat is a client", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      await run.waitStates({ a: "RUNNING" });
      const proc = Bun.spawn(["socat", "-t", "2", "-", `UNIX-CONNECT:${run.socket}`], { stdin: "pipe", stdout: "pipe" });
      proc.stdin.write('{"cmd":"status"}\n{"cmd":"stop","name":"a","wait":true}\n');
      proc.stdin.end();
      const lines = (await new Response(proc.stdout).text()).trim().split("\n").map((line) => JSON.parse(line));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ ok: true, companions: [{ name: "a", state: "RUNNING" }] });
      expect(lines[1]).toMatchObject({ ok: true, name: "a", state: "STOPPED" });
    });
  });

  e2e("targets that cannot load are FATAL at once with the reason (no retry); resolve exits 0, reject exits 1", async () => {
    const config = {
      ...FAST,
      companion_restart_delay: 30,
      companion_workers: [
        fixture("missing-export", "nope"),
        fixture("not-a-function", "notAFunction"),
        { name: "missing-module", target: "./does-not-exist.mjs:run" },
        fixture("resolves", "resolves", { startsecs: 0 }),
        fixture("rejects", "rejects", { startsecs: 0 }),
      ],
    };
    await withMaster(launcher, { config }, async (run) => {
      const states = await run.waitStates({ "missing-export": "FATAL", "not-a-function": "FATAL", "missing-module": "FATAL", resolves: "BACKOFF", rejects: "BACKOFF" });
      expect(states["missing-export"]).toMatchObject({ last_exit_code: 78, last_error: expect.stringContaining('export "nope"'), next_retry_at: null, restart_count: 0 });
      expect(states["missing-export"]?.description).toMatch(/^gave up: export "nope" of .*companions\.mjs: no such export \(last: exited with status 78\)$/);
      expect(states["not-a-function"]?.last_error).toContain("it is number, not a function");
      expect(states["missing-module"]?.last_error).toMatch(/does-not-exist\.mjs/);
      expect(states.resolves).toMatchObject({ last_exit_code: 0 });
      expect(states.rejects).toMatchObject({ last_exit_code: 1 });
      expect(run.output()).toContain("rejected on purpose by rejects");
      expect(run.output()).toMatch(/\[companion:missing-export\] exited with status 78 (before startsecs )?\(export "nope".*not retried: it cannot start/);
    });
  });
}
