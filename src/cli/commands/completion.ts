import { defineCommand } from "citty";
import { UsageError } from "../../errors.ts";
import { getRuntime } from "../../runtime/index.ts";
import { renderCompletion, SHELLS, type Shell } from "../completion.ts";

/** `completion bash|zsh|fish`: print a shell completion script (commands, options, companion names from a running manager). */
export default defineCommand({
  meta: { name: "completion", description: "Print a completion script for bash, zsh or fish" },
  args: {
    shell: { type: "positional", required: false, description: "bash, zsh or fish" },
  },
  async run({ args }): Promise<number> {
    const shell = args.shell;
    if (shell === undefined || !(SHELLS as readonly string[]).includes(shell)) throw new UsageError(`completion needs a shell: ${SHELLS.join(", ")}`);
    if (args._.length > 1) throw new UsageError("completion takes one shell");
    await (await getRuntime()).write("stdout", renderCompletion(shell as Shell));
    return 0;
  },
});
