import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";
import { runCtl } from "../../roles/ctl.ts";
import { CTL_ARGS } from "../ctl-args.ts";

/** `signal NAME SIG`: send a signal to a companion's process group (a group's members, or `all`). */
export default defineCommand({
  meta: { name: "signal", description: "Send a signal (HUP, SIGUSR1, 10, …) to a companion, a group or all" },
  args: {
    name: { type: "positional", description: "Companion or group name, or all", required: false },
    signal: { type: "positional", description: "Signal name (with or without SIG) or number", required: false },
    ...CTL_ARGS,
  },
  async run({ args }): Promise<number> {
    if (args.name === undefined || args.name === "" || args.signal === undefined || args.signal === "") throw new UsageError("signal needs a companion NAME and a SIGNAL");
    if (args._.length > 2) throw new UsageError("signal takes one companion NAME and one SIGNAL");
    return runCtl(await getRuntime(), args, { cmd: "signal", name: args.name, signal: args.signal });
  },
});
