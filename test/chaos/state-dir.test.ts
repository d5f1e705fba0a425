/**
 * Chaos: the state directory of a config (docs/security.md, "State
 * directory"). Its name can be guessed, so another user may create it first,
 * or plant a symlink there, in a shared temp dir: the master refuses to start
 * with the reason, and starts nothing. The attacks need the second user
 * `gcsecond` and root (.ci/run creates the user); skipped otherwise.
 */
import { expect, test } from "bun:test";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stateRootFor } from "../../src/companion/state-root.ts";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { FAST, fixture, runCli } from "../helpers/master.ts";
import { makeTempDir } from "../helpers/temp.ts";

const SECOND_USER = "gcsecond";
const hasSecondUser = process.getuid?.() === 0 && Bun.spawnSync(["id", SECOND_USER]).exitCode === 0;
const uid = process.getuid?.() ?? 0;

/** As the second user, in `cwd`. */
const asSecondUser = (argv: string[]) => Bun.spawnSync(["runuser", "-u", SECOND_USER, "--", ...argv]);

for (const [attack, plant] of [
  ["creates the directory first", (root: string) => asSecondUser(["mkdir", "-m", "0777", root])],
  ["plants a symlink to a directory of its own", (root: string, scratch: string) => {
    asSecondUser(["mkdir", "-m", "0700", join(scratch, "mine")]);
    asSecondUser(["ln", "-s", join(scratch, "mine"), root]);
  }],
] as const) {
  test.skipIf(!hasSecondUser)(`another user ${attack} in a shared temp dir: the master refuses to start, starts nothing`, async () => {
    const tmp = makeTempDir("gcstate");
    try {
      // A shared temp dir, like /tmp: anyone may create entries, only their owner may remove them.
      chmodSync(tmp.dir, 0o755);
      const scratch = join(tmp.dir, "shared");
      mkdirSync(scratch);
      chmodSync(scratch, 0o1777);
      const config = join(tmp.dir, "conf.json");
      writeFileSync(config, JSON.stringify({ ...FAST, companion_control_socket: join(tmp.dir, "c.sock"), companion_workers: [fixture("c")] }));
      const root = stateRootFor(config, tmp.dir, uid, {});
      plant(join(scratch, root.slice(root.lastIndexOf("/") + 1)), scratch);
      const result = await runCli(LAUNCHERS.binary, ["master", "-c", config], { cwd: tmp.dir, env: { TMPDIR: scratch, FIXTURE_DIR: tmp.dir } });
      expect(result.code).not.toBe(0);
      expect(`${result.stdout}${result.stderr}`).toMatch(/refusing state directory .*: it (is owned by uid 1001|is a symbolic link)/);
      // Nothing started, nothing written through the planted entry.
      expect(existsSync(join(tmp.dir, "c.sock"))).toBe(false);
      expect(existsSync(join(tmp.dir, "pids")) ? readdirSync(join(tmp.dir, "pids")) : []).toEqual([]);
      if (existsSync(join(scratch, "mine"))) expect(readdirSync(join(scratch, "mine"))).toEqual([]);
      expect(lstatSync(join(scratch, root.slice(root.lastIndexOf("/") + 1))).uid).toBe(1001);
    } finally {
      tmp.cleanup();
    }
  }, 30_000);
}

test("a state directory of ours left with a loose mode is refused, not used", async () => {
  const tmp = makeTempDir("gcstate");
  try {
    const config = join(tmp.dir, "conf.json");
    writeFileSync(config, JSON.stringify({ ...FAST, companion_workers: [fixture("c")] }));
    const root = stateRootFor(config, tmp.dir, uid, {}).replace(/^.*\//, `${tmp.dir}/`);
    mkdirSync(root, { mode: 0o755 });
    chmodSync(root, 0o755);
    const result = await runCli(LAUNCHERS.binary, ["master", "-c", config], { cwd: tmp.dir, env: { TMPDIR: tmp.dir, FIXTURE_DIR: tmp.dir } });
    expect(result.code).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain(`refusing state directory ${root}: it has mode 0755 (others may enter it)`);
    expect(readdirSync(root)).toEqual([]);
  } finally {
    tmp.cleanup();
  }
}, 30_000);
