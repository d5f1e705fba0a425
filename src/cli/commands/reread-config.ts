import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";

/** Hidden: loads the companion config for a manager's reread and prints it as JSON (docs/security.md, "Reread"). */
export default defineCommand({
  meta: { name: "reread-config", description: "(internal) load the companion config for a reread, print it as JSON", hidden: true },
  args: { "state-dir": { type: "string", description: "The manager's state directory" } },
  async run({ args }): Promise<number> {
    const stateDir = args["state-dir"];
    if (stateDir === undefined || stateDir === "") throw new UsageError("reread-config needs --state-dir");
    const { runRereadConfig } = await import("../../roles/config-child.ts");
    return runRereadConfig(await getRuntime(), stateDir);
  },
});
