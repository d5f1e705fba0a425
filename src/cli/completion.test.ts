import { describe, expect, test } from "bun:test";
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
});
