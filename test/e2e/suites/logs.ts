/**
 * Companion output end to end (docs/logging.md): prefixed lines on the
 * master's output, pass-through without the prefix, `logs -n`, `logs -f`
 * on a live companion (Ctrl-C exits 0), a follower that does not read losing
 * lines and told how many, rotation between lines, and USR1 reopening the
 * files after a logrotate-style rename.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { e2e, e2eWithTool } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, isAlive, waitFor, withMaster } from "../../helpers/master.ts";

/** A command companion; `sh` is its script. */
const sh = (name: string, script: string, extra: Record<string, unknown> = {}) => ({ name, command: script, ...extra });

/** Waits for the file `go` in the companion's cwd, then runs `then`. */
const afterGo = (then: string) => `while [ ! -f go ]; do sleep 0.02; done; ${then}`;

export function logTests(launcher: Launcher): void {
  e2e("logs: inherited lines reach the master prefixed with the padded name, stdout and stderr alike", async () => {
    const config = {
      ...FAST,
      companion_workers: [sh("a", "echo hello from a; echo oops from a >&2; exec sleep 60"), sh("longname", "printf 'part'; sleep 0.2; printf 'ial line\\n'; exec sleep 60")],
    };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitOutput(/^longname \| partial line$/m);
      const output = await run.waitOutput(/^a {8}\| oops from a$/m);
      expect(output).toMatch(/^a {8}\| hello from a$/m);
      // The master's output is a file: no colour codes.
      expect(output).not.toContain("\u001b[");
    });
  });

  e2e("logs: companion_log_prefix false passes the output through untouched, and logs has none of it", async () => {
    const config = { ...FAST, companion_log_prefix: false, companion_workers: [sh("raw", "echo untouched line; exec sleep 60")] };
    await withMaster(launcher, { config }, async (run) => {
      const output = await run.waitOutput(/^untouched line$/m);
      expect(output).not.toContain("raw | ");
      const logs = await run.cli(["-s", run.socket, "logs", "raw", "--json"]);
      expect(logs).toMatchObject({ code: 0, stdout: "" });
    });
  });

  e2e("logs: -n gives the last lines of a stream, --stderr the other one, --json the NDJSON; a file destination is kept too", async () => {
    const config = {
      ...FAST,
      companion_workers: [
        sh("few", "for i in 1 2 3 4 5; do echo line $i; echo err $i >&2; done; exec sleep 60"),
        sh("tofile", "echo to the file; exec sleep 60", { stdout: "tofile.log" }),
      ],
    };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitOutput(/^few +\| err 5$/m);
      const last = await run.cli(["-s", run.socket, "logs", "few", "-n", "2"]);
      expect(last).toMatchObject({ code: 0, stdout: "few | line 4\nfew | line 5\n" });
      const errors = await run.cli(["-s", run.socket, "logs", "few", "-n", "1", "--stderr"]);
      expect(errors).toMatchObject({ code: 0, stdout: "few | err 5\n" });
      const json = await run.cli(["-s", run.socket, "logs", "few", "-n", "1", "--json"]);
      expect(JSON.parse(json.stdout)).toEqual({ name: "few", stream: "stdout", line: "line 5", time: expect.any(Number) });
      const raw = await run.request({ cmd: "logs", name: "few", lines: 0 });
      expect(raw).toEqual({ ok: true, done: true });
      await waitFor(() => existsSync(join(run.dir, "tofile.log")) && readFileSync(join(run.dir, "tofile.log"), "utf8") === "to the file\n", "tofile.log written");
      expect((await run.cli(["-s", run.socket, "logs", "tofile"])).stdout).toBe("tofile | to the file\n");
      expect(run.output()).not.toContain("to the file");
      const unknown = await run.cli(["-s", run.socket, "logs", "nope"]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('unknown companion "nope"');
      expect(await run.request({ cmd: "logs", name: "few", lines: -1 })).toMatchObject({ ok: false, error: expect.stringContaining('"lines"') });
    });
  });

  e2eWithTool("script", "logs: the ctl colours the prefix on a terminal, and not with NO_COLOR", async () => {
    const config = { ...FAST, companion_workers: [sh("tty", "echo on a terminal; exec sleep 60")] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitOutput(/^tty \| on a terminal$/m);
      const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
      const command = [...launcher.command, "-s", run.socket, "logs", "tty", "-n", "1"].map(quote).join(" ");
      // `script` runs the ctl on a pseudo-terminal and copies what it printed.
      const onTerminal = (env: Record<string, string>) => Bun.spawnSync(["script", "-qec", command, "/dev/null"], { cwd: run.dir, env: { ...process.env, ...env } });
      const coloured = onTerminal({ NO_COLOR: "" });
      expect(coloured.exitCode).toBe(0);
      expect(coloured.stdout.toString()).toMatch(/\u001b\[\d+mtty \|\u001b\[0m on a terminal/);
      const plain = onTerminal({ NO_COLOR: "1" });
      expect(plain.stdout.toString()).toContain("tty | on a terminal");
      expect(plain.stdout.toString()).not.toContain("\u001b[");
    });
  });

  e2e("logs: -f prints new lines of a live companion and exits 0 on Ctrl-C", async () => {
    const config = { ...FAST, companion_workers: [sh("live", afterGo("i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done"))] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ live: "RUNNING" });
      const follower = Bun.spawn([...launcher.command, "-s", run.socket, "logs", "live", "-f"], { cwd: run.dir, stdout: "pipe", stderr: "pipe" });
      try {
        let seen = "";
        const reader = (async () => {
          for await (const chunk of follower.stdout) seen += new TextDecoder().decode(chunk);
        })();
        writeFileSync(join(run.dir, "go"), "");
        await waitFor(() => /^live \| tick 3$/m.test(seen), () => `follower printed ${JSON.stringify(seen)}`);
        follower.kill("SIGINT");
        expect(await follower.exited).toBe(0);
        await reader;
        expect(seen).toMatch(/^live \| tick 1\nlive \| tick 2\nlive \| tick 3\n/);
      } finally {
        if (isAlive(follower.pid)) follower.kill("SIGKILL");
      }
    });
  });

  e2e("logs: a follower that does not read loses lines and is told how many; the companion and status never wait for it", async () => {
    const total = 200_000;
    const config = { ...FAST, companion_workers: [sh("flood", `echo ready; ${afterGo(`seq 1 ${total}; echo flood done; exec sleep 60`)}`)] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ flood: "RUNNING" });
      const socket = connect(run.socket);
      try {
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString("utf8")));
        await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
        // The kept line comes in the same turn as the follow starts: once it is here, every new line is followed.
        socket.write(`${JSON.stringify({ cmd: "logs", name: "flood", lines: 1, follow: true })}\n`);
        await waitFor(() => text.includes('"line":"ready"'), () => `the kept line; got ${JSON.stringify(text)}`);
        socket.pause();
        writeFileSync(join(run.dir, "go"), "");
        // The companion runs to its end while the follower reads nothing.
        await waitFor(async () => {
          const tail = await run.cli(["-s", run.socket, "logs", "flood", "-n", "1"]);
          return tail.stdout === "flood | flood done\n";
        }, "the flood to finish");
        expect((await run.statusOf("flood")).state).toBe("RUNNING");
        socket.resume();
        const count = () => {
          const lines = text.split("\n").filter((line) => line !== "");
          const dropped = lines.filter((line) => line.startsWith('{"dropped"')).reduce((sum, line) => sum + (JSON.parse(line) as { dropped: number }).dropped, 0);
          return { received: lines.length - lines.filter((line) => line.startsWith('{"dropped"')).length, dropped };
        };
        await waitFor(() => count().received + count().dropped === total + 2, () => `received ${JSON.stringify(count())} of ${total + 2}`);
        expect(count().dropped).toBeGreaterThan(0);
        expect(count().received).toBeGreaterThan(0);
      } finally {
        socket.destroy();
      }
    });
  });

  e2e("logs: a log file rotates to file.1 … file.N between two lines", async () => {
    const config = {
      ...FAST,
      companion_workers: [sh("rot", afterGo("for i in $(seq 1 60); do echo \"line $i 0123456789012345678901234567890123456789\"; done; exec sleep 60"), { stdout: "rot.log", stdout_max_bytes: 1000, stdout_backups: 2 })],
    };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ rot: "RUNNING" });
      writeFileSync(join(run.dir, "go"), "");
      const file = (suffix: string) => join(run.dir, `rot.log${suffix}`);
      await waitFor(() => existsSync(file("")) && readFileSync(file(""), "utf8").includes("line 60 "), "line 60 in rot.log");
      expect(existsSync(file(".3"))).toBe(false);
      const numbers: number[] = [];
      for (const suffix of [".2", ".1", ""]) {
        expect(statSync(file(suffix)).size).toBeLessThanOrEqual(1000);
        expect(statSync(file(suffix)).mode & 0o777).toBe(0o640 & ~process.umask());
        const text = readFileSync(file(suffix), "utf8");
        // Whole lines only, no prefix.
        expect(text).toMatch(/^(line \d+ 0123456789012345678901234567890123456789\n)+$/);
        numbers.push(...[...text.matchAll(/^line (\d+)/gm)].map((m) => Number(m[1])));
      }
      // Consecutive across the files, oldest backup first, ending with the last line.
      expect(numbers.at(-1)).toBe(60);
      expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i));
    });
  });

  e2e("logs: the lines a companion writes as it stops reach its file and the master's output before the master exits", async () => {
    const script = "trap 'echo last words; printf unterminated; exit 0' TERM; echo up; while true; do sleep 0.05; done";
    const config = { ...FAST, companion_workers: [sh("bye", script, { stdout: "bye.log" }), sh("bye2", script)] };
    await withMaster(launcher, { config }, async (run) => {
      await waitFor(() => existsSync(join(run.dir, "bye.log")) && readFileSync(join(run.dir, "bye.log"), "utf8") === "up\n", "bye.log written");
      await run.waitOutput(/^bye2 \| up$/m);
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(readFileSync(join(run.dir, "bye.log"), "utf8")).toBe("up\nlast words\nunterminated\n");
      expect(run.output()).toMatch(/^bye2 \| last words$[^]*^bye2 \| unterminated$/m);
    });
  });

  e2e("logs: USR1 to the master reopens the companions' log files after a logrotate-style rename", async () => {
    const config = { ...FAST, companion_workers: [sh("ro", "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.05; done", { stdout: "ro.log" })] };
    await withMaster(launcher, { config }, async (run) => {
      const log = join(run.dir, "ro.log");
      await waitFor(() => existsSync(log) && readFileSync(log, "utf8").includes("tick 2\n"), "ro.log written");
      renameSync(log, `${log}.1`);
      run.signal("SIGUSR1");
      await waitFor(() => existsSync(log) && /tick \d+\n/.test(readFileSync(log, "utf8")), "ro.log reopened");
      const moved = readFileSync(`${log}.1`, "utf8");
      await waitFor(() => (readFileSync(log, "utf8").match(/\n/g) ?? []).length >= 3, "more lines in the new ro.log");
      // The moved file got nothing more once the new one was open.
      expect(readFileSync(`${log}.1`, "utf8")).toBe(moved);
      const first = Number(/tick (\d+)/.exec(readFileSync(log, "utf8"))?.[1]);
      const last = Number([...moved.matchAll(/tick (\d+)/g)].at(-1)?.[1]);
      expect(first).toBe(last + 1);
      expect(statSync(log).mode & 0o777).toBe(0o640 & ~process.umask());
    });
  });
}
