import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";
import type { CommandOutcome } from "../../exit-codes.ts";

/** Hidden: the body of one companion process, started by the manager. */
export default defineCommand({
  meta: { name: "companion", description: "(internal) run one companion target", hidden: true },
  args: {
    name: { type: "positional", required: false },
    target: { type: "positional", required: false },
    report: { type: "string" },
  },
  async run({ args }): Promise<CommandOutcome> {
    if (!args.name || !args.target) throw new UsageError("companion needs NAME and TARGET");
    const { runCompanion } = await import("../../roles/companion.ts");
    await runCompanion(await getRuntime(), { name: args.name, target: args.target, reportFile: args.report ?? null });
    // runCompanion returns only when the target returned no promise: the process lives on while its event loop has work.
    return "keep-running";
  },
});
