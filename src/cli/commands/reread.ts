import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { runCtl } from "../../roles/ctl.ts";
import { CTL_ARGS } from "../ctl-args.ts";

/** `reread`: load the companion config again and apply the difference. */
export default defineCommand({
  meta: { name: "reread", description: "Re-read the companion config and apply the changes" },
  args: { ...CTL_ARGS },
  async run({ args }): Promise<number> {
    return runCtl(await getRuntime(), args, { cmd: "reread" });
  },
});
