import { afterEach, beforeEach, expect, test } from "bun:test";
import { closeSync, existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { makeTempDir } from "../../test/helpers/temp.ts";
import { openAppendNoFollow, readRegularFile, SymlinkRefusedError, writeFileAtomic } from "./private-files.ts";

let tmp: ReturnType<typeof makeTempDir>;
let savedMask = 0;
beforeEach(() => {
  tmp = makeTempDir("gc-private");
  savedMask = process.umask(0o022);
});
afterEach(() => {
  process.umask(savedMask);
  tmp.cleanup();
});

test("openAppendNoFollow creates 0640, appends, and refuses a symlink (dangling too) naming the file", () => {
  const file = join(tmp.dir, "a.log");
  for (const line of ["one\n", "two\n"]) {
    const fd = openAppendNoFollow(file, "stdout file");
    writeSync(fd, line);
    closeSync(fd);
  }
  expect(readFileSync(file, "utf8")).toBe("one\ntwo\n");
  expect(statSync(file).mode & 0o777).toBe(0o640);
  const target = tmp.file("target", "keep");
  const link = join(tmp.dir, "link.log");
  symlinkSync(target, link);
  expect(() => openAppendNoFollow(link, "stdout file")).toThrow(new SymlinkRefusedError("stdout file", link));
  expect(() => openAppendNoFollow(link, "stdout file")).toThrow(`refusing to open stdout file ${link} through a symlink`);
  const dangling = join(tmp.dir, "dangling.log");
  symlinkSync(join(tmp.dir, "nowhere"), dangling);
  expect(() => openAppendNoFollow(dangling, "access log")).toThrow(SymlinkRefusedError);
  expect(existsSync(join(tmp.dir, "nowhere"))).toBe(false);
  expect(readFileSync(target, "utf8")).toBe("keep");
});

test("the umask only tightens the mode", () => {
  process.umask(0o077);
  const fd = openAppendNoFollow(join(tmp.dir, "tight.log"), "log");
  closeSync(fd);
  expect(statSync(join(tmp.dir, "tight.log")).mode & 0o777).toBe(0o600);
  process.umask(0);
  writeFileAtomic(join(tmp.dir, "loose.pid"), "1\n");
  expect(statSync(join(tmp.dir, "loose.pid")).mode & 0o777).toBe(0o640);
});

test("writeFileAtomic replaces a symlink itself, never its target, and leaves no temporary file", () => {
  const target = tmp.file("important.conf", "do not touch");
  const path = join(tmp.dir, "app.pid");
  symlinkSync(target, path);
  writeFileAtomic(path, "42\n");
  expect(lstatSync(path).isFile()).toBe(true);
  expect(readFileSync(path, "utf8")).toBe("42\n");
  expect(readFileSync(target, "utf8")).toBe("do not touch");
  writeFileAtomic(path, "43\n");
  expect(readFileSync(path, "utf8")).toBe("43\n");
  expect(readdirSync(tmp.dir).sort()).toEqual(["app.pid", "important.conf"]);
});

test("readRegularFile never follows a symlink", () => {
  const target = tmp.file("pid", "7\n");
  const link = join(tmp.dir, "link");
  symlinkSync(target, link);
  expect(readRegularFile(target)).toBe("7\n");
  expect(readRegularFile(link)).toBeNull();
  expect(readRegularFile(join(tmp.dir, "missing"))).toBeNull();
  expect(readRegularFile(tmp.dir)).toBeNull();
});
