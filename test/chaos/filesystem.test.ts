/**
 * Chaos: the file system and permissions. Socket paths too long, in a missing
 * or unwritable directory, taken by a regular file or a symlink (never
 * unlinked or followed); a log file that cannot be opened; the socket's mode;
 * a client of another user refused. The tests that need a second user run when
 * one named `gcsecond` exists (.ci/run creates it when it runs as root).
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, LAUNCHERS } from "../helpers/launchers.ts";
import { FAST, fixture, runCli, withMaster } from "../helpers/master.ts";
import { waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";

const launcher = LAUNCHERS.binary;
const SECOND_USER = "gcsecond";
const hasSecondUser = process.getuid?.() === 0 && Bun.spawnSync(["id", SECOND_USER]).exitCode === 0;

async function master(dir: string, config: Record<string, unknown>) {
  const file = join(dir, "conf.json");
  writeFileSync(file, JSON.stringify({ ...FAST, ...config }));
  return runCli(launcher, ["master", "-c", file], { cwd: dir, env: { TMPDIR: dir } });
}

test("socket paths: too long, missing directory, a regular file, a symlink: refused, nothing deleted or followed", async () => {
  const tmp = makeTempDir("gcfs");
  try {
    const long = join(tmp.dir, `${"x".repeat(120)}.sock`);
    const tooLong = await master(tmp.dir, { companion_control_socket: long });
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toContain("over the limit of 107");
    const missing = await master(tmp.dir, { companion_control_socket: join(tmp.dir, "no/such/dir/c.sock") });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`control socket directory ${join(tmp.dir, "no/such/dir")} does not exist`);
    const regular = tmp.file("regular.sock", "keep");
    const onFile = await master(tmp.dir, { companion_control_socket: regular, companion_workers: [] });
    expect(onFile.code).toBe(1);
    expect(`${onFile.stdout}${onFile.stderr}`).toContain("exists and is not a socket; refusing to replace it");
    expect(readFileSync(regular, "utf8")).toBe("keep");
    const target = tmp.file("target.txt", "do not touch");
    const link = join(tmp.dir, "link.sock");
    symlinkSync(target, link);
    const onLink = await master(tmp.dir, { companion_control_socket: link, companion_workers: [] });
    expect(onLink.code).toBe(1);
    expect(`${onLink.stdout}${onLink.stderr}`).toContain("exists and is a symbolic link; refusing to replace it");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("do not touch");
  } finally {
    tmp.cleanup();
  }
}, 60_000);

test("the socket is 0600 by default", async () => {
  await withMaster(launcher, { config: { ...FAST, companion_workers: [] } }, async (run) => {
    expect(statSync(run.socket).mode & 0o777).toBe(0o600);
  });
});

describe(`as a second user (${SECOND_USER})`, () => {
  const as = (argv: string[], cwd: string, env: Record<string, string> = {}) =>
    Bun.spawnSync(["runuser", "-u", SECOND_USER, "--", "env", ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], { cwd });

  test.skipIf(!hasSecondUser)("a client of another user is refused by the 0600 socket", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      chmodSync(run.dir, 0o755);
      const result = as([BINARY, "-s", run.socket, "status"], "/");
      expect(result.exitCode).toBe(2);
      expect(result.stderr.toString()).toMatch(/cannot reach the control socket .*(permission denied|EACCES)/i);
      expect((await run.request({ cmd: "status" })).ok).toBe(true);
    });
  });

  test.skipIf(!hasSecondUser)("an unwritable socket directory, and a log file in an unwritable directory", async () => {
    const tmp = makeTempDir("gcperm");
    try {
      chmodSync(tmp.dir, 0o755);
      const locked = join(tmp.dir, "locked");
      mkdirSync(locked, { mode: 0o755 });
      const scratch = join(tmp.dir, "scratch");
      mkdirSync(scratch, { mode: 0o777 });
      // Sticky: a socket directory others can write without it is refused.
      chmodSync(scratch, 0o1777);
      const config = join(tmp.dir, "conf.json");
      writeFileSync(config, JSON.stringify({ companion_control_socket: join(locked, "c.sock") }));
      const denied = as([BINARY, "master", "-c", config], tmp.dir, { TMPDIR: scratch });
      expect(denied.exitCode).toBe(1);
      expect(denied.stderr.toString()).toContain(`control socket directory ${locked} is not writable`);

      const socket = join(scratch, "c.sock");
      writeFileSync(
        config,
        JSON.stringify({ ...FAST, companion_restart_delay: 30, companion_control_socket: socket, companion_workers: [fixture("logs", "run", { stdout: join(locked, "out.log") })] }),
      );
      const proc = Bun.spawn(["runuser", "-u", SECOND_USER, "--", "env", `TMPDIR=${scratch}`, BINARY, "master", "-c", config], { cwd: tmp.dir, stdout: "ignore", stderr: "ignore" });
      try {
        const status = await waitFor(
          () => {
            // The manager runs as the second user: the ctl (root) talks to its socket only when told to trust that user.
            const out = Bun.spawnSync([BINARY, "-s", socket, "--trust-owner", SECOND_USER, "status", "--json"]).stdout.toString();
            const reply = out === "" ? null : (JSON.parse(out) as { companions?: Array<{ state: string; last_error: string | null }> });
            return reply?.companions?.[0]?.state === "BACKOFF" ? reply.companions[0] : null;
          },
          "the companion in BACKOFF",
          20_000,
        );
        expect(status.last_error).toContain(`cannot open stdout file ${join(locked, "out.log")}: EACCES`);
        expect(existsSync(join(locked, "out.log"))).toBe(false);
      } finally {
        proc.kill("SIGTERM");
        await proc.exited;
      }
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
