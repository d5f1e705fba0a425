/**
 * Chaos: another local user attacks the control socket while the master
 * starts. A racing process swaps every new entry of the socket directory for a
 * symlink to a victim file (the victim never changes); under `umask 000` a
 * client hammers every entry of the directory (never connects); a directory
 * of another user, or one anyone can write without the sticky bit, is
 * refused; a socket another user left at the path is reported with its owner.
 * They need the second user `gcsecond` and root (.ci/run creates the user).
 */
import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, ROOT } from "../helpers/launchers.ts";
import { FAST, rawRequest } from "../helpers/master.ts";
import { isAlive, sleep, waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";

const SECOND_USER = "gcsecond";
const secondUid = Number(Bun.spawnSync(["id", "-u", SECOND_USER]).stdout.toString().trim() || "-1");
const hasSecondUser = process.getuid?.() === 0 && secondUid > 0;
const ATTACKER = join(ROOT, "test/fixtures/socket-attacker.ts");

/** Starts the master with its socket at `socket`; resolves once it answers there or has exited, then stops it. */
async function startOnce(dir: string, socket: string, extra: Record<string, unknown> = {}, umask000 = false) {
  const config = join(dir, "conf.json");
  writeFileSync(config, JSON.stringify({ ...FAST, companion_workers: [], companion_control_socket: socket, ...extra }));
  const argv = [BINARY, "master", "-c", config];
  const proc = Bun.spawn(umask000 ? ["sh", "-c", 'umask 000; exec "$@"', "sh", ...argv] : argv, {
    cwd: dir,
    env: { ...process.env, TMPDIR: dir },
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]).then(([o, e]) => `${o}${e}`);
  const answered = await waitFor(
    async () => ((await rawRequest(socket, { cmd: "status" }).catch(() => null)) !== null ? "yes" : isAlive(proc.pid) ? null : "no"),
    "the master answering or exiting",
    20_000,
  );
  if (answered === "yes") proc.kill("SIGTERM");
  const code = await proc.exited;
  return { answered: answered === "yes", code, output: await output };
}

/** Runs the attacker as the second user until `stop()`; resolves its output. */
function attacker(args: string[], dir: string) {
  const stopFile = join(dir, "stop");
  const proc = Bun.spawn(["runuser", "-u", SECOND_USER, "--", process.execPath, ATTACKER, ...args, stopFile], { stdout: "pipe", stderr: "pipe" });
  const output = new Response(proc.stdout).text();
  return {
    async stop() {
      writeFileSync(stopFile, "");
      await proc.exited;
      return output;
    },
  };
}

function scene(prefix: string) {
  const tmp = makeTempDir(prefix);
  chmodSync(tmp.dir, 0o755);
  const victimDir = join(tmp.dir, "victim");
  mkdirSync(victimDir, { mode: 0o755 });
  const victim = join(victimDir, "secret");
  writeFileSync(victim, "secret of the service", { mode: 0o600 });
  chmodSync(victim, 0o600);
  return { tmp, victim };
}

describe(`as a second user (${SECOND_USER})`, () => {
  test.skipIf(!hasSecondUser)("a racing symlink swapper never gets the victim file chmod-ed (sticky dir: 10 starts; open dir: 10 refusals)", async () => {
    const { tmp, victim } = scene("gcatk");
    try {
      for (const [name, mode] of [["sticky", 0o1777], ["open", 0o777]] as const) {
        const dir = join(tmp.dir, name);
        mkdirSync(dir);
        chmodSync(dir, mode);
        const attack = attacker(["swap", dir, victim], tmp.dir);
        try {
          for (let i = 0; i < 10; i++) {
            const run = await startOnce(tmp.dir, join(dir, "c.sock"), { companion_control_socket_mode: 0o666 });
            expect(statSync(victim).mode & 0o7777).toBe(0o600);
            expect(readFileSync(victim, "utf8")).toBe("secret of the service");
            if (name === "sticky") expect({ answered: run.answered, output: run.answered ? "" : run.output }).toEqual({ answered: true, output: "" });
            else expect(run.output).toContain(`control socket directory ${dir} (owner uid 0 (root), mode 0777) can be written by other users and has no sticky bit`);
          }
        } finally {
          await attack.stop();
          Bun.spawnSync(["rm", "-f", join(tmp.dir, "stop")]);
        }
      }
    } finally {
      tmp.cleanup();
    }
  }, 180_000);

  test.skipIf(!hasSecondUser)("under umask 000 a client of another user never connects while the master starts 10 times", async () => {
    const { tmp } = scene("gcumask");
    try {
      const dir = join(tmp.dir, "run");
      mkdirSync(dir, { mode: 0o755 });
      const attack = attacker(["connect", dir], tmp.dir);
      try {
        for (let i = 0; i < 10; i++) {
          const run = await startOnce(tmp.dir, join(dir, "c.sock"), {}, true);
          expect(run.answered).toBe(true);
        }
        await sleep(100);
      } finally {
        expect(await attack.stop()).toBe("");
      }
    } finally {
      tmp.cleanup();
    }
  }, 180_000);

  test.skipIf(!hasSecondUser)("a directory of another user, and one anyone can write without the sticky bit: refused, naming owner and mode", async () => {
    const { tmp } = scene("gcdirs");
    try {
      const theirs = join(tmp.dir, "theirs");
      mkdirSync(theirs, { mode: 0o755 });
      chownSync(theirs, secondUid, secondUid);
      const owned = await startOnce(tmp.dir, join(theirs, "c.sock"));
      expect(owned.code).toBe(1);
      expect(owned.output).toContain(`control socket directory ${theirs} is owned by another user (uid ${secondUid} (${SECOND_USER}), mode 0755); refusing to create the socket there`);
      const open = join(tmp.dir, "open");
      mkdirSync(open);
      chmodSync(open, 0o777);
      const wide = await startOnce(tmp.dir, join(open, "c.sock"));
      expect(wide.code).toBe(1);
      expect(wide.output).toContain(`control socket directory ${open} (owner uid 0 (root), mode 0777) can be written by other users and has no sticky bit; refusing to create the socket there`);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);

  test.skipIf(!hasSecondUser)("a socket another user left at the path in a sticky directory: refused, naming its owner", async () => {
    const { tmp } = scene("gcsquat");
    try {
      const dir = join(tmp.dir, "shared");
      mkdirSync(dir);
      chmodSync(dir, 0o1777);
      const socket = join(dir, "c.sock");
      const squat = Bun.spawnSync(["runuser", "-u", SECOND_USER, "--", "/usr/bin/env", process.execPath, "-e", `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => process.exit(0))`]);
      expect(squat.exitCode).toBe(0);
      expect(statSync(socket).uid).toBe(secondUid);
      const run = await startOnce(tmp.dir, socket);
      expect(run.code).toBe(1);
      expect(run.output).toContain(`control socket path ${socket} is taken by a socket of another user (uid ${secondUid} (${SECOND_USER})); refusing to use or replace it`);
      expect(statSync(socket).uid).toBe(secondUid);
    } finally {
      tmp.cleanup();
    }
  }, 60_000);
});
