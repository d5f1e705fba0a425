import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../../test/helpers/temp.ts";
import { openLogFile } from "./log-file.ts";

const dirs: Array<{ cleanup(): void }> = [];
const tempDir = () => {
  const made = makeTempDir("logfile");
  dirs.push(made);
  return made.dir;
};
afterAll(() => {
  for (const made of dirs) made.cleanup();
});

const bytes = (text: string) => new TextEncoder().encode(text);
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${String(from + i).padStart(3, "0")}\n`).join("");

test("a chunk of lines is split between files at line ends; backups shift up to N and the oldest goes", () => {
  const dir = tempDir();
  const path = join(dir, "out.log");
  const file = openLogFile(path, "stdout file", { maxBytes: 30, backups: 2 }, (message) => {
    throw new Error(message);
  });
  // 9 bytes a line: three fit in 30.
  file.write(bytes(lines(1, 10)));
  file.close();
  expect(readFileSync(`${path}.2`, "utf8")).toBe(lines(4, 6));
  expect(readFileSync(`${path}.1`, "utf8")).toBe(lines(7, 9));
  expect(readFileSync(path, "utf8")).toBe(lines(10, 10));
  expect(existsSync(`${path}.3`)).toBe(false);
});

test("a line longer than the maximum gets a file of its own; 0 backups truncates; 0 bytes never rotates", () => {
  const dir = tempDir();
  const path = join(dir, "out.log");
  const file = openLogFile(path, "stdout file", { maxBytes: 10, backups: 0 }, () => {});
  file.write(bytes("a very long line indeed\nb\n"));
  file.close();
  expect(readFileSync(path, "utf8")).toBe("b\n");
  const never = openLogFile(path, "stdout file", { maxBytes: 0, backups: 3 }, () => {});
  never.write(bytes(lines(1, 100)));
  never.close();
  expect(statSync(path).size).toBe(2 + 900);
});

test("a symlink at the path is refused, and reopen after a rename writes to the new file", () => {
  const dir = tempDir();
  const target = join(dir, "target");
  writeFileSync(target, "");
  symlinkSync(target, join(dir, "link.log"));
  expect(() => openLogFile(join(dir, "link.log"), "stdout file", { maxBytes: 0, backups: 0 }, () => {})).toThrow("refusing to open stdout file");
  const path = join(dir, "out.log");
  const file = openLogFile(path, "stdout file", { maxBytes: 0, backups: 0 }, () => {});
  file.write(bytes("one\n"));
  renameSync(path, `${path}.old`);
  file.reopen();
  file.write(bytes("two\n"));
  file.close();
  expect(readFileSync(`${path}.old`, "utf8")).toBe("one\n");
  expect(readFileSync(path, "utf8")).toBe("two\n");
  expect(statSync(path).mode & 0o777).toBe(0o640 & ~process.umask());
});
