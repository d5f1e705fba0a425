import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { runCtl } from "../../roles/ctl.ts";
import { CTL_ARGS } from "../ctl-args.ts";

/** `status [--json] [NAME...]`: the state of every companion (or the named ones). */
export default defineCommand({
  meta: { name: "status", description: "Show the state of companions" },
  args: { ...CTL_ARGS },
  async run({ args }): Promise<number> {
    const names = args._.filter((name) => name !== "");
    return runCtl(await getRuntime(), args, names.length > 0 ? { cmd: "status", names } : { cmd: "status" });
  },
});
