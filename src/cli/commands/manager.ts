import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";

/** Hidden: the companion manager role, started by the master. */
export default defineCommand({
  meta: { name: "manager", description: "(internal) run the companion manager", hidden: true },
  args: { "state-dir": { type: "string", description: "The master's state directory" } },
  async run({ args }): Promise<number> {
    const stateDir = args["state-dir"];
    if (stateDir === undefined || stateDir === "") throw new UsageError("manager needs --state-dir");
    const { runManagerRole } = await import("../../roles/manager.ts");
    return runManagerRole(await getRuntime(), stateDir);
  },
});
