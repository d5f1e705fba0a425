/**
 * Chaos: files the master and the companions write. A symlink planted at the
 * pid file, a companion's stdout or the access log never redirects a write
 * into its target (the pid file is renamed over the link; the log files are
 * refused with the reason); created files are 0640 whatever the umask (the
 * umask only makes them tighter); a second user (`gcsecond`, when it exists)
 * cannot read a companion's log; config errors hide secrets at load and on
 * reread.
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, LAUNCHERS, ROOT, type Launcher } from "../helpers/launchers.ts";
import { FAST, fixture, runCli, waitFor, withMaster } from "../helpers/master.ts";
import { freePort } from "../helpers/ports.ts";
import { makeTempDir } from "../helpers/temp.ts";

const binary = LAUNCHERS.binary;
const APP = join(ROOT, "test/fixtures/app.mjs");
const SECOND_USER = "gcsecond";
const hasSecondUser = process.getuid?.() === 0 && Bun.spawnSync(["id", SECOND_USER]).exitCode === 0;
/** The binary started under `umask <mask>`. */
const underUmask = (mask: string): Launcher => ({ ...binary, command: ["sh", "-c", `umask ${mask}; exec "$0" "$@"`, BINARY] });
const modeOf = (path: string) => statSync(path).mode & 0o777;

test("a symlink at the pid file path is replaced by the pid file (rename), its target untouched; the file goes at stop", async () => {
  const tmp = makeTempDir("gcpid");
  try {
    const target = tmp.file("important.conf", "do not touch\n");
    const pidfile = join(tmp.dir, "app.pid");
    symlinkSync(target, pidfile);
    await withMaster(binary, { config: { ...FAST, pidfile, companion_workers: [] } }, async (run) => {
      await waitFor(() => !lstatSync(pidfile).isSymbolicLink(), "the pid file in place of the symlink");
      expect(lstatSync(pidfile).isFile()).toBe(true);
      expect(readFileSync(pidfile, "utf8")).toBe(`${run.pid}\n`);
      expect(modeOf(pidfile)).toBe(0o640);
      expect(readFileSync(target, "utf8")).toBe("do not touch\n");
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(existsSync(pidfile)).toBe(false);
    });
    expect(readFileSync(target, "utf8")).toBe("do not touch\n");
  } finally {
    tmp.cleanup();
  }
}, 60_000);

describe.each([binary, LAUNCHERS.bun])("companion log files ($name)", (launcher) => {
  test("a symlink at a companion's stdout path is refused: the target untouched, status gives the reason", async () => {
    const tmp = makeTempDir("gclog");
    try {
      const target = tmp.file("profile", "# .profile\n");
      const link = join(tmp.dir, "c.log");
      symlinkSync(target, link);
      await withMaster(launcher, { config: { ...FAST, companion_restart_delay: 30, companion_workers: [fixture("logs", "run", { stdout: link })] } }, async (run) => {
        const { logs } = await run.waitStates({ logs: "BACKOFF" });
        expect(logs?.last_error).toContain(`refusing to open stdout file ${link} through a symlink`);
        expect(readFileSync(target, "utf8")).toBe("# .profile\n");
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
      });
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});

test("a symlink at the access log path: the master stops with a clear error, the target untouched", async () => {
  const tmp = makeTempDir("gcacc");
  try {
    const target = tmp.file("victim.txt", "keep\n");
    const link = join(tmp.dir, "access.log");
    symlinkSync(target, link);
    const config = join(tmp.dir, "conf.json");
    writeFileSync(config, JSON.stringify({ ...FAST, bind: [`127.0.0.1:${await freePort()}`], accesslog: link }));
    const result = await runCli(binary, ["master", "-c", config, APP], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(`refusing to open access log ${link} through a symlink`);
    expect(readFileSync(target, "utf8")).toBe("keep\n");
  } finally {
    tmp.cleanup();
  }
}, 60_000);

describe.each(["022", "000"])("created files under umask %s", (mask) => {
  test("the pid file, a companion's log files and the access log are 0640", async () => {
    const port = await freePort();
    const config = {
      ...FAST,
      bind: [`127.0.0.1:${port}`],
      pidfile: "app.pid",
      accesslog: "access.log",
      companion_workers: [fixture("out", "run", { stdout: "out.log", stderr: "err.log" })],
    };
    await withMaster(underUmask(mask), { config, args: [APP], waitHttp: `http://127.0.0.1:${port}/` }, async (run) => {
      await run.waitStates({ out: "RUNNING" });
      const files = ["app.pid", "access.log", "out.log", "err.log"].map((name) => join(run.dir, name));
      await waitFor(() => files.every((file) => existsSync(file)), "every file created");
      expect(Object.fromEntries(files.map((file) => [file, modeOf(file).toString(8)]))).toEqual(Object.fromEntries(files.map((file) => [file, "640"])));
    });
  }, 60_000);
});

test.skipIf(!hasSecondUser)(`a second user (${SECOND_USER}) cannot read a companion's log file`, async () => {
  await withMaster(binary, { config: { ...FAST, companion_workers: [fixture("out", "run", { stdout: "out.log" })] } }, async (run) => {
    await run.waitStates({ out: "RUNNING" });
    const log = join(run.dir, "out.log");
    await waitFor(() => existsSync(log), "the log file");
    chmodSync(run.dir, 0o755);
    const read = Bun.spawnSync(["runuser", "-u", SECOND_USER, "--", "cat", log]);
    expect(read.exitCode).not.toBe(0);
    expect(read.stderr.toString()).toContain("Permission denied");
  });
}, 60_000);

describe("secrets in config errors", () => {
  const bad = { companion_workers: [{ ...fixture("db"), env: { DB_PASSWORD: 912345678 } }] };

  test("at load: <hidden>, not the value", async () => {
    const tmp = makeTempDir("gcsec");
    try {
      const config = join(tmp.dir, "conf.json");
      writeFileSync(config, JSON.stringify({ ...FAST, ...bad }));
      const result = await runCli(binary, ["master", "-c", config], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
      const output = `${result.stdout}${result.stderr}`;
      expect(result.code).not.toBe(0);
      expect(output).toContain("companion_workers[0].env.DB_PASSWORD");
      expect(output).toContain("<hidden>");
      expect(output).not.toContain("912345678");
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  test("on reread over the socket, and in the master's log: <hidden>", async () => {
    await withMaster(binary, { config: { ...FAST, companion_workers: [fixture("db")] } }, async (run) => {
      run.writeConfig({ ...FAST, companion_control_socket: run.socket, ...bad });
      const reply = await run.request({ cmd: "reread" });
      expect(reply.ok).toBe(false);
      expect(JSON.stringify(reply)).toContain("<hidden>");
      expect(JSON.stringify(reply)).not.toContain("912345678");
      const cli = await run.cli(["-s", run.socket, "reread"]);
      expect(`${cli.stdout}${cli.stderr}`).toContain("<hidden>");
      expect(`${cli.stdout}${cli.stderr}`).not.toContain("912345678");
      expect(run.output()).not.toContain("912345678");
    });
  }, 60_000);
});
