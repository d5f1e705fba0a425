import { describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArgDef } from "./args.ts";
import { COMPLETION_COMMANDS, renderCompletion, SHELLS } from "./completion.ts";
import { PUBLIC_COMMANDS } from "./run.ts";

/** Every spelling of a command's options, from its own definition. */
async function optionsOf(name: string): Promise<string[]> {
  const command = (await import(`./commands/${name}.ts`)).default as { args?: Record<string, ArgDef> };
  return Object.entries(command.args ?? {}).flatMap(([key, def]) => {
    if (def.type === "positional") return [];
    const aliases = def.alias === undefined ? [] : ([] as string[]).concat(def.alias);
    return [`--${key}`, ...(def.type === "boolean" && def.default === true ? [`--no-${key}`] : []), ...aliases.map((a) => `-${a}`)];
  });
}

const BASH = Bun.which("bash");

describe("completion", () => {
  test("the table has every operator command, each with its own options", async () => {
    expect(Object.keys(COMPLETION_COMMANDS).sort()).toEqual([...PUBLIC_COMMANDS].sort());
    for (const name of PUBLIC_COMMANDS) expect([...(COMPLETION_COMMANDS[name]?.options ?? [])].sort()).toEqual((await optionsOf(name)).sort());
  });

  test.each(SHELLS)("the %s script mentions every command", (shell) => {
    const script = renderCompletion(shell);
    for (const name of PUBLIC_COMMANDS) expect(script).toContain(name);
    expect(script).toContain("status --json");
  });

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
