/**
 * The master and the manager as processes: companion cwd/env/output files,
 * HUP with and without companion changes, TERM/INT/USR2, SIGKILL of the
 * master and of the manager (no orphan, no duplicate), and boot errors.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, type Launcher } from "../../helpers/launchers.ts";
import { expectAllGone, FAST, fixture, isAlive, runCli, waitFor, withMaster } from "../../helpers/master.ts";
import { makeTempDir } from "../../helpers/temp.ts";
import { e2e, e2eTypeScript } from "../e2e-test.ts";

export function lifecycleTests(launcher: Launcher): void {
  e2e("cwd, env, stdout and stderr files", async () => {
    const config = {
      ...FAST,
      companion_env: { FOO: "global", BAR: "bar" },
      companion_workers: [
        fixture("merged", "printEnv", { cwd: "work", env: { FOO: "own" }, stdout: "logs/merged.log", stderr: "stdout" }),
        fixture("split", "printEnv", { stdout: "split.out", stderr: "split.err" }),
      ],
    };
    const files = { "work/logs/.keep": "" };
    await withMaster(launcher, { config, files }, async (run) => {
      await run.waitStates({ merged: "RUNNING", split: "RUNNING" });
      const merged = join(run.dir, "work/logs/merged.log");
      await waitFor(() => existsSync(merged) && readFileSync(merged, "utf8").includes("READY"), "merged log");
      const text = readFileSync(merged, "utf8");
      expect(text).toContain(`CWD ${join(run.dir, "work")}\n`);
      expect(text).toContain("FOO own\n");
      expect(text).toContain("STDERR merged\n");
      await waitFor(() => existsSync(join(run.dir, "split.out")) && readFileSync(join(run.dir, "split.out"), "utf8").includes("READY"), "split log");
      expect(readFileSync(join(run.dir, "split.out"), "utf8")).toContain("FOO global\n");
      expect(readFileSync(join(run.dir, "split.err"), "utf8")).toBe("STDERR split\n");
      // Append, never truncate: a restart adds to the same files.
      expect(await run.request({ cmd: "restart", name: "split", wait: true })).toMatchObject({ ok: true });
      await waitFor(() => readFileSync(join(run.dir, "split.err"), "utf8") === "STDERR split\nSTDERR split\n", "appended stderr");
    });
  });

  e2e("a log file that cannot be opened is a BACKOFF with the reason", async () => {
    const config = { ...FAST, companion_restart_delay: 30, companion_workers: [fixture("nodir", "run", { stdout: "missing/dir/out.log" })] };
    await withMaster(launcher, { config }, async (run) => {
      const { nodir } = await run.waitStates({ nodir: "BACKOFF" });
      expect(nodir?.description).toContain("spawn failed: cannot open stdout file");
      expect(nodir?.last_error).toContain("missing/dir/out.log");
    });
  });

  e2e("HUP without companion changes keeps the manager and every companion pid", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a"), fixture("b")] } }, async (run) => {
      const before = await run.waitStates({ a: "RUNNING", b: "RUNNING" });
      const manager = run.managerPid();
      run.writeConfig({ ...FAST, workers: 3, companion_workers: [fixture("b"), fixture("a")] });
      run.signal("SIGHUP");
      await run.waitOutput("companion config unchanged, the manager keeps running");
      expect(run.managerPid()).toBe(manager);
      const after = await run.status();
      expect(after.map((c) => [c.name, c.pid])).toEqual([
        ["a", before.a?.pid ?? -1],
        ["b", before.b?.pid ?? -1],
      ]);
    });
  });

  e2e("HUP with companion changes restarts the manager with the new config", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      const before = await run.waitStates({ a: "RUNNING" });
      const manager = run.managerPid();
      run.writeConfig({ ...FAST, companion_workers: [fixture("a", "run", { env: { FOO: "2" } }), fixture("c")] });
      run.signal("SIGHUP");
      await run.waitOutput("companion config changed: restarting the companion manager");
      const after = await run.waitStates({ a: "RUNNING", c: "RUNNING" });
      expect(after.a?.pid).not.toBe(before.a?.pid ?? -1);
      expect(isAlive(before.a?.pid ?? 0)).toBe(false);
      await waitFor(() => run.managerPid() !== null && run.managerPid() !== manager, "a new manager");
      expect(isAlive(manager ?? 0)).toBe(false);
      // A broken config on HUP keeps everything as it is.
      const pids = (await run.status()).map((c) => c.pid);
      run.writeConfig({ ...FAST, companion_workers: [fixture("a", "run", { stop_signal: "SIGNOPE" })] });
      run.signal("SIGHUP");
      await run.waitOutput("reload failed, keeping the running config");
      expect((await run.status()).map((c) => c.pid)).toEqual(pids);
    });
  });

  e2e("SIGKILL of the master: the manager stops every companion (children too) and exits", async () => {
    const config = {
      ...FAST,
      companion_workers: [fixture("a"), fixture("kids", "spawnChild"), fixture("stubborn", "ignoreTerm", { stop_timeout: 0.5 })],
    };
    await withMaster(launcher, { config }, async (run) => {
      const states = await run.waitStates({ a: "RUNNING", kids: "RUNNING", stubborn: "RUNNING" });
      await run.waitReady("kids");
      await run.waitReady("stubborn", states.stubborn?.pid);
      const manager = run.managerPid();
      const killedAt = Date.now();
      run.signal("SIGKILL");
      await run.exited;
      // Prompt companions (and the grandchild) go within 2 s; the SIGTERM-ignoring one after its stop_timeout.
      await waitFor(() => ![states.a?.pid, states.kids?.pid].some((pid) => isAlive(pid ?? 0)), "prompt companions gone", 2000);
      await waitFor(() => !isAlive(manager ?? 0), "the manager to exit", 5000);
      await expectAllGone(run);
      expect(Date.now() - killedAt).toBeLessThan(5000);
      expect(existsSync(run.socket)).toBe(false);
    });
  });

  e2e("a companion that dies leaves nothing behind: its process group gets the stop signal, then SIGKILL", async () => {
    const config = { ...FAST, companion_workers: [fixture("kids", "spawnChild", { stop_timeout: 0.5 })] };
    await withMaster(launcher, { config }, async (run) => {
      const before = await run.waitStates({ kids: "RUNNING" });
      await run.waitReady("kids", before.kids?.pid);
      const grandchild = await waitFor(() => run.fixturePids().find((p) => p.what === "kids-grandchild")?.pid ?? null, "the grandchild");
      process.kill(before.kids?.pid ?? 0, "SIGKILL");
      await waitFor(() => !isAlive(grandchild), "the grandchild of the killed companion to go", 3000);
      await run.waitOutput("outlived the companion");
      const after = await waitFor(async () => {
        const kids = await run.statusOf("kids").catch(() => null);
        return kids?.state === "RUNNING" && kids.pid !== before.kids?.pid ? kids : null;
      }, "a new kids companion");
      expect(isAlive(after.pid ?? 0)).toBe(true);
    });
  });

  e2e("SIGKILL of the manager: the old companions are gone before new ones start (no duplicate)", async () => {
    const config = { ...FAST, companion_workers: [fixture("sched", "singleton", { stop_timeout: 0.5 }), fixture("kids", "spawnChild")] };
    await withMaster(launcher, { config }, async (run) => {
      const before = await run.waitStates({ sched: "RUNNING", kids: "RUNNING" });
      await run.waitReady("sched", before.sched?.pid);
      await run.waitReady("kids", before.kids?.pid);
      const manager = run.managerPid();
      process.kill(manager ?? 0, "SIGKILL");
      await run.waitOutput("restarting the companion manager in 1s");
      const after = await waitFor(async () => {
        const states = await run.status().catch(() => []);
        const sched = states.find((c) => c.name === "sched");
        return sched?.state === "RUNNING" && sched.pid !== before.sched?.pid ? states : null;
      }, "companions under a new manager", 15_000);
      expect(run.managerPid()).not.toBe(manager);
      for (const c of after) expect(c.pid).not.toBe(before[c.name]?.pid ?? -1);
      expect(isAlive(before.sched?.pid ?? 0)).toBe(false);
      expect(isAlive(before.kids?.pid ?? 0)).toBe(false);
      const grandchildren = run.fixturePids().filter((p) => p.what === "kids-grandchild");
      expect(grandchildren.filter((p) => isAlive(p.pid)).length).toBeLessThanOrEqual(1);
      expect(existsSync(join(run.dir, "duplicates"))).toBe(false);
    });
  });

  for (const signal of ["SIGINT", "SIGQUIT"] as const) {
    e2e(`${signal} stops quickly even when a companion ignores SIGTERM with a long stop_timeout`, async () => {
      const config = { ...FAST, companion_workers: [fixture("stubborn", "ignoreTerm", { stop_timeout: 60 })] };
      await withMaster(launcher, { config }, async (run) => {
        const { stubborn } = await run.waitStates({ stubborn: "RUNNING" });
        await run.waitReady("stubborn", stubborn?.pid);
        const started = Date.now();
        run.signal(signal);
        expect(await run.exited).toBe(0);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(isAlive(stubborn?.pid ?? 0)).toBe(false);
      });
    });
  }

  e2e("TERM: a manager that outlives companion_manager_stop_timeout is SIGKILLed, and so is what it left", async () => {
    const config = { ...FAST, companion_manager_stop_timeout: 1, companion_workers: [fixture("stubborn", "ignoreTerm", { stop_timeout: 60 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { stubborn } = await run.waitStates({ stubborn: "RUNNING" });
      await run.waitReady("stubborn", stubborn?.pid);
      const manager = run.managerPid();
      const started = Date.now();
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(8000);
      expect(run.output()).toContain("companion manager did not stop within 1s; sending SIGKILL");
      expect(isAlive(manager ?? 0)).toBe(false);
      expect(isAlive(stubborn?.pid ?? 0)).toBe(false);
    });
  });

  e2e("restart waits reload_timeout (not stop_timeout) before SIGKILL", async () => {
    const config = { ...FAST, companion_workers: [fixture("stubborn", "ignoreTerm", { stop_timeout: 60, reload_timeout: 0.5 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { stubborn } = await run.waitStates({ stubborn: "RUNNING" });
      await run.waitReady("stubborn", stubborn?.pid);
      const started = Date.now();
      const reply = await run.request({ cmd: "restart", name: "stubborn", wait: true });
      expect(reply).toMatchObject({ ok: true, state: "RUNNING" });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await run.statusOf("stubborn")).toMatchObject({ kill_count: 1, last_exit_signal: "SIGKILL", restart_count: 1 });
      expect(isAlive(stubborn?.pid ?? 0)).toBe(false);
    });
  });

  e2e("SIGUSR2 is logged and ignored while companions are configured", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      const { a } = await run.waitStates({ a: "RUNNING" });
      run.signal("SIGUSR2");
      await run.waitOutput("SIGUSR2 (binary upgrade) is not supported while companions are configured; ignored");
      expect((await run.statusOf("a")).pid).toBe(a?.pid ?? -1);
      expect(isAlive(run.pid)).toBe(true);
    });
  });

  e2e("TERM waits for a draining companion; the pidfile is written and removed", async () => {
    const config = { ...FAST, pidfile: "master.pid", companion_workers: [fixture("drainer", "drain")] };
    await withMaster(launcher, { config }, async (run) => {
      const { drainer } = await run.waitStates({ drainer: "RUNNING" });
      await run.waitReady("drainer", drainer?.pid);
      expect(readFileSync(join(run.dir, "master.pid"), "utf8")).toBe(`${run.pid}\n`);
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain(`DRAINED drainer ${drainer?.pid}`);
      expect(existsSync(join(run.dir, "master.pid"))).toBe(false);
    });
  });

  e2eTypeScript(launcher, "a TypeScript config typed with defineConfig (bun, binary) or `import type` (deno, node 24: they resolve packages from disk only)", async () => {
    const body = JSON.stringify({ ...FAST, companion_workers: [fixture("typed")] });
    const source =
      launcher.name === "deno" || launcher.name === "node24"
        ? `import type { Config } from "gunicorn-companion";\nconst socket: string = process.env.SOCK ?? "";\nexport default { ...${body}, companion_control_socket: socket } satisfies Config;\n`
        : `import { defineConfig } from "gunicorn-companion";\nconst socket: string = process.env.SOCK ?? "";\nexport default defineConfig({ ...${body}, companion_control_socket: socket });\n`;
    const tmp = makeTempDir("gct");
    const socket = join(tmp.dir, "t.sock");
    const file = tmp.file("gunicorn.conf.ts", source);
    const proc = Bun.spawn([...launcher.command, "master", "-c", file], { cwd: tmp.dir, env: { ...process.env, SOCK: socket, TMPDIR: tmp.dir, FIXTURE_DIR: tmp.dir }, stdout: "ignore", stderr: "pipe" });
    try {
      const { rawRequest } = await import("../../helpers/master.ts");
      const reply = await waitFor(async () => {
        const status = await rawRequest(socket, { cmd: "status" }).catch(() => null);
        return (status?.companions as Array<{ state: string }> | undefined)?.[0]?.state === "RUNNING" ? status : null;
      }, "the typed config's companion to run", 20_000);
      expect(reply).toMatchObject({ ok: true, companions: [{ name: "typed" }] });
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
      tmp.cleanup();
    }
  });

  for (const format of ["mjs", "json"] as const) {
    e2e(`a .${format} config with a .js target`, async () => {
      const config = { ...FAST, companion_workers: [{ name: "plain", target: `${ROOT}/test/fixtures/plain.js:run` }] };
      await withMaster(launcher, { config, format }, async (run) => {
        const { plain } = await run.waitStates({ plain: "RUNNING" });
        await run.waitReady("plain", plain?.pid);
      });
    });
  }

  e2e("a .js config with named exports", async () => {
    const tmp = makeTempDir("gcj");
    try {
      const socket = join(tmp.dir, "j.sock");
      const file = tmp.file(
        "gunicorn.conf.js",
        `export const companion_control_socket = ${JSON.stringify(socket)};\nexport const companion_startsecs = 0.1;\nexport const companion_workers = [{ name: "js", target: ${JSON.stringify(`${ROOT}/test/fixtures/plain.js:run`)} }];\n`,
      );
      const proc = Bun.spawn([...launcher.command, "master", "-c", file], { cwd: tmp.dir, env: { ...process.env, TMPDIR: tmp.dir }, stdout: "ignore", stderr: "ignore" });
      try {
        const { rawRequest } = await import("../../helpers/master.ts");
        await waitFor(async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => null))?.companions as Array<{ state: string }> | undefined)?.[0]?.state === "RUNNING", "the .js config's companion", 20_000);
        proc.kill("SIGTERM");
        expect(await proc.exited).toBe(0);
      } finally {
        proc.kill("SIGKILL");
      }
    } finally {
      tmp.cleanup();
    }
  });

  e2e("a bad config stops the master at boot with the file, setting and value", async () => {
    const tmp = makeTempDir("gcb");
    try {
      const file = tmp.file("bad.json", JSON.stringify({ companion_workers: [{ name: "rq", target: "./w.mjs:run", stop_signal: "SIGTRM" }] }));
      const result = await runCli(launcher, ["master", "-c", file], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${file}: companion_workers[0].stop_signal (companion "rq") = "SIGTRM": unknown signal`);
      const flag = await runCli(launcher, ["master", "-w", "many"], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
      expect(flag.code).toBe(1);
      expect(flag.stderr).toContain('command line: workers = "many": expected a whole number');
    } finally {
      tmp.cleanup();
    }
  });
}
