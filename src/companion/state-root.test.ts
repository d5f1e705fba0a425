/**
 * The state directory of a config (docs/security.md, "State directory"):
 * the same path for the same config and user, private, never through a
 * symlink; a master's own directory is abandoned once that master is gone.
 */
import { afterEach, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProcessStartTime } from "./proc.ts";
import { createStateDir } from "./state-dir.ts";
import { abandonedStateDirs, ensurePrivateDir, OWNER_FILE, stateRootFor } from "./state-root.ts";

const uid = process.getuid?.() ?? 0;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), "gc-root-"));
  dirs.push(dir);
  return dir;
}

test("one path per config file and user, under XDG_RUNTIME_DIR when set, else the temp dir", () => {
  const dir = temp();
  const a = stateRootFor("/srv/a.conf.ts", "/srv", 1000, { XDG_RUNTIME_DIR: dir });
  expect(a).toBe(stateRootFor("/srv/a.conf.ts", "/elsewhere", 1000, { XDG_RUNTIME_DIR: dir }));
  expect(a.startsWith(`${dir}/gunicorn-companion-1000-`)).toBe(true);
  expect(stateRootFor("/srv/b.conf.ts", "/srv", 1000, { XDG_RUNTIME_DIR: dir })).not.toBe(a);
  expect(stateRootFor("/srv/a.conf.ts", "/srv", 1001, { XDG_RUNTIME_DIR: dir })).not.toBe(a);
  expect(stateRootFor("/srv/a.conf.ts", "/srv", 1000, {}).startsWith(`${tmpdir()}/`)).toBe(true);
  // Without a config file, the working directory names it.
  expect(stateRootFor(null, "/srv", 1000, {})).not.toBe(stateRootFor(null, "/opt", 1000, {}));
});

test("created 0700 whatever the umask; a loose mode, a symlink or a file at the path is refused, never followed", () => {
  const dir = temp();
  const root = join(dir, "root");
  const umask = process.umask(0);
  try {
    ensurePrivateDir(root, uid);
  } finally {
    process.umask(umask);
  }
  expect(statSync(root).mode & 0o777).toBe(0o700);
  ensurePrivateDir(root, uid);
  chmodSync(root, 0o755);
  expect(() => ensurePrivateDir(root, uid)).toThrow(`refusing state directory ${root}: it has mode 0755`);
  const target = join(dir, "target");
  mkdirSync(target, { mode: 0o700 });
  const link = join(dir, "link");
  symlinkSync(target, link);
  expect(() => ensurePrivateDir(link, uid)).toThrow("is a symbolic link");
  writeFileSync(join(dir, "file"), "");
  expect(() => ensurePrivateDir(join(dir, "file"), uid)).toThrow("is not a directory");
  expect(() => ensurePrivateDir(target, uid + 1)).toThrow(`is owned by uid ${uid}, not ${uid + 1}`);
});

test("a master's directory is abandoned once that master is gone (or was never claimed), not while it runs", () => {
  const root = temp();
  const live = createStateDir(root, { pid: process.pid, start_time: readProcessStartTime(process.pid) });
  const dead = createStateDir(root, { pid: process.pid, start_time: "1" });
  const unclaimed = createStateDir(root, { pid: process.pid, start_time: null });
  rmSync(join(unclaimed, OWNER_FILE));
  // One being made by another master right now (no owner file yet) is left alone.
  mkdirSync(join(root, ".new-abcdef"));
  expect(abandonedStateDirs(root).sort()).toEqual([dead, unclaimed].sort());
  expect(abandonedStateDirs(root, dead)).toEqual([unclaimed]);
  // One whose master died while making it is abandoned too.
  const halfMade = join(root, ".new-ghijkl");
  mkdirSync(halfMade);
  writeFileSync(join(halfMade, OWNER_FILE), JSON.stringify({ pid: process.pid, start_time: "1" }));
  expect(abandonedStateDirs(root, dead).sort()).toEqual([halfMade, unclaimed].sort());
  expect(live.slice(root.length + 1)).toStartWith("m-");
  expect(abandonedStateDirs(join(root, "missing"))).toEqual([]);
  expect(abandonedStateDirs(root)).not.toContain(live);
});
