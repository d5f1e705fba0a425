/**
 * Chaos: another local user (gcsecond, when we are root) answers in the
 * manager's place with forged replies full of terminal escape sequences, and
 * plants config files for `ctl -c` (docs/security.md, "The ctl"). The ctl
 * must refuse a socket of an untrusted user without connecting, print what a
 * trusted one sends with every control character escaped, read a `.json`
 * config as data, and never import (run) a config module of an untrusted user.
 * On every launcher: the checks are the ctl's own, but each runtime's stat
 * and printing are proved.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAUNCHERS, ROOT, type Launcher } from "../helpers/launchers.ts";
import { runCli } from "../helpers/master.ts";
import { waitFor } from "../helpers/processes.ts";
import { makeTempDir } from "../helpers/temp.ts";

const SECOND_USER = "gcsecond";
const secondUid = Number(Bun.spawnSync(["id", "-u", SECOND_USER]).stdout.toString().trim() || "-1");
const why = process.getuid?.() !== 0 ? "not root" : secondUid <= 0 ? `no user ${SECOND_USER}` : null;
const ATTACKER = join(ROOT, "test/fixtures/socket-attacker.ts");

/** The forged status: a screen clear, a window title, a bell, a C1 CSI and a second, invented line. */
const FORGED = {
  ok: true,
  companions: [{ name: "w1\u001b[31m", state: "RUNNING", description: "pid 1, uptime 0:00:01\u001b[2J\u001b]0;pwned\u0007\u009b1A\nw2                               RUNNING   pid 2", pid: 1 }],
};
const ESCAPED_ROW = `${"w1\\x1b[31m".padEnd(32)} RUNNING   pid 1, uptime 0:00:01\\x1b[2J\\x1b]0;pwned\\x07\\x9b1A\\nw2                               RUNNING   pid 2\n`;
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const tmp = makeTempDir("gctrust");
const shared = join(tmp.dir, "shared");
const socket = join(shared, "fake.sock");
const stopFile = join(tmp.dir, "stop");
let fake: { proc: ReturnType<typeof Bun.spawn>; output: () => string } | null = null;

beforeAll(async () => {
  if (why !== null) return;
  chmodSync(tmp.dir, 0o755);
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const proc = Bun.spawn(["runuser", "-u", SECOND_USER, "--", process.execPath, ATTACKER, "manager", socket, JSON.stringify(FORGED), stopFile], { stdout: "pipe", stderr: "inherit" });
  let output = "";
  (async () => {
    for await (const chunk of proc.stdout) output += new TextDecoder().decode(chunk);
  })();
  fake = { proc, output: () => output };
  await waitFor(() => output.includes("READY"), "the fake manager", 20_000);
});

afterAll(async () => {
  writeFileSync(stopFile, "");
  if (fake !== null) await fake.proc.exited;
  tmp.cleanup();
});

/** A file owned by the second user. */
function theirs(name: string, content: string, mode = 0o644): string {
  const path = tmp.file(name, content);
  chmodSync(path, mode);
  chownSync(path, secondUid, secondUid);
  return path;
}

/** How many requests the fake manager has answered. */
const answered = () => (fake?.output().match(/^GOT /gm) ?? []).length;

function trustTests(launcher: Launcher): void {
  const run = (args: string[]) => runCli(launcher, args, { cwd: tmp.dir });
  const skip = why ?? launcher.unavailable;

  test.skipIf(skip !== null)(`${launcher.name}: a socket of another user is refused before connecting, naming it, its owner and --trust-owner${skip ? ` (skipped: ${skip})` : ""}`, async () => {
    const before = answered();
    const result = await run(["status", "-s", socket]);
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: `error: refusing to talk to the control socket ${socket}: it belongs to uid ${secondUid} (${SECOND_USER}), not to you (uid 0 (root)); pass --trust-owner ${SECOND_USER} if you trust that user\n`,
    });
    expect(answered()).toBe(before);
  });

  test.skipIf(skip !== null)(`${launcher.name}: with --trust-owner, a forged reply's escape sequences and newlines are printed visibly${skip ? ` (skipped: ${skip})` : ""}`, async () => {
    for (const owner of [SECOND_USER, String(secondUid)]) {
      const result = await run(["status", "-s", socket, "--trust-owner", owner]);
      expect(result).toEqual({ code: 0, stdout: ESCAPED_ROW, stderr: "" });
    }
    const json = await run(["--trust-owner", SECOND_USER, "status", "--json", "-s", socket]);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json.stdout)).toEqual(FORGED);
    const unknown = await run(["status", "-s", socket, "--trust-owner", "nosuchuser"]);
    expect(unknown).toMatchObject({ code: 2, stderr: "gunicorn-companion: --trust-owner nosuchuser: no such user\n" });
  });

  test.skipIf(skip !== null)(`${launcher.name}: -c FILE: the config owner's socket is trusted; a .json config is read as data${skip ? ` (skipped: ${skip})` : ""}`, async () => {
    const config = theirs(`${launcher.name}.json`, JSON.stringify({ companion_control_socket: socket, companion_workers: [{ name: "x" }], workers: "not checked" }));
    expect(await run(["status", "-c", config])).toEqual({ code: 0, stdout: ESCAPED_ROW, stderr: "" });
  });

  test.skipIf(skip !== null)(`${launcher.name}: -c MODULE of another user, or one others can write, is never run unless trusted${skip ? ` (skipped: ${skip})` : ""}`, async () => {
    const marker = join(tmp.dir, `${launcher.name}.ran`);
    const code = `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "ran");\nexport default { companion_control_socket: ${JSON.stringify(socket)} };\n`;
    const module = theirs(`${launcher.name}.mjs`, code);
    const refused = await run(["status", "-c", module]);
    expect(refused).toEqual({
      code: 2,
      stdout: "",
      stderr: `gunicorn-companion: refusing to run the config module ${module} to find the control socket: it belongs to uid ${secondUid} (${SECOND_USER}); pass -s SOCKET, or --trust-owner ${SECOND_USER} if you trust that user (its code would run as you)\n`,
    });
    const writable = tmp.file(`${launcher.name}-open.mjs`, code);
    chmodSync(writable, 0o666);
    expect((await run(["status", "-c", writable])).stderr).toContain(`refusing to run the config module ${writable} to find the control socket: other users can write it (mode 0666)`);
    expect(existsSync(marker)).toBe(false);
    expect(await run(["status", "-c", module, "--trust-owner", SECOND_USER])).toEqual({ code: 0, stdout: ESCAPED_ROW, stderr: "" });
    expect(existsSync(marker)).toBe(true);
  });
}

describe(`the ctl against a fake manager of ${SECOND_USER}`, () => {
  for (const launcher of [LAUNCHERS.bun, LAUNCHERS.binary, LAUNCHERS.deno, LAUNCHERS.node, LAUNCHERS.node24]) trustTests(launcher);
});
