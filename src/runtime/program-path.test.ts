import { afterAll, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveProgram } from "./program-path.ts";

const dir = mkdtempSync(join(tmpdir(), "program-path-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (path: string, mode: number) => {
  mkdirSync(join(dir, path, ".."), { recursive: true });
  writeFileSync(join(dir, path), "#!/bin/sh\n");
  chmodSync(join(dir, path), mode);
};

test("a bare name is found on the child's PATH, skipping files that are not executable, as execvp does", () => {
  file("a/tool", 0o644);
  file("b/tool", 0o755);
  const env = { PATH: `${join(dir, "a")}:${join(dir, "b")}` };
  expect(resolveProgram({ argv: ["tool", "x"], env })).toEqual([join(dir, "b/tool"), "x"]);
});

test("a relative path is taken from the child's cwd; an absolute one as it is; a miss names the program and the PATH", () => {
  expect(resolveProgram({ argv: ["./run.sh"], cwd: "/srv/app" })).toEqual(["/srv/app/run.sh"]);
  expect(resolveProgram({ argv: ["/bin/true"] })).toEqual(["/bin/true"]);
  expect(() => resolveProgram({ argv: ["no-such-tool"], env: { PATH: join(dir, "a") } })).toThrow(`cannot start no-such-tool: not found on PATH (${join(dir, "a")})`);
});
