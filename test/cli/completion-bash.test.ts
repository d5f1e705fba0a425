/** The bash completion script, sourced in a real bash (skipped where there is none). */
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderCompletion } from "../../src/cli/completion.ts";

const BASH = Bun.which("bash");

describe("bash completion", () => {
  const complete = (words: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), "gcc-"));
    try {
      // A stand-in for the program: status --json as a manager answers it, and the -s it got.
      const fake = join(dir, "gunicorn-companion");
      writeFileSync(fake, `#!/bin/sh\necho "$*" > ${dir}/args\necho '{"ok":true,"companions":[{"name":"worker","state":"RUNNING"},{"name": "web:0"}]}'\n`);
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, "script.bash"), renderCompletion("bash"));
      const line = `source ${dir}/script.bash; COMP_WORDS=(${[fake, ...words].map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}; _gunicorn_companion; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const result = Bun.spawnSync([BASH as string, "-c", line]);
      const args = Bun.spawnSync(["cat", join(dir, "args")]).stdout.toString().trim();
      return { replies: result.stdout.toString().split("\n").filter((l) => l !== ""), args };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test.skipIf(BASH === null)("bash: sta completes to start and status, stat to status, --wo to --workers after master", () => {
    expect(complete(["sta"]).replies.sort()).toEqual(["start", "status"]);
    expect(complete(["stat"]).replies).toEqual(["status"]);
    expect(complete(["master", "--wo"]).replies).toEqual(["--workers"]);
    expect(complete(["completion", "f"]).replies).toEqual(["fish"]);
  });

  test.skipIf(BASH === null)("bash: companion names come from status --json on the socket given with -s", () => {
    const { replies, args } = complete(["-s", "/run/x.sock", "restart", ""]);
    expect(replies.sort()).toEqual(["all", "web:0", "worker"]);
    expect(args).toBe("status --json -s /run/x.sock");
  });
});
