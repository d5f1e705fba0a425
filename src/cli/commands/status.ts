import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { CTL_ARGS, runCtl } from "../ctl.ts";
import { setExitCode } from "../outcome.ts";

/** `status [--json] [NAME...]`: the state of every companion (or the named ones). */
export default defineCommand({
  meta: { name: "status", description: "Show the state of companions" },
  args: { ...CTL_ARGS },
  async run({ args }) {
    const names = args._.filter((name) => name !== "");
    const request: Record<string, unknown> = { cmd: "status" };
    if (names.length > 0) request.names = names;
    setExitCode(await runCtl(await getRuntime(), args, request));
  },
});
