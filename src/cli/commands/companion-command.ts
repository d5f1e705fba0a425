import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";
import { runCtl } from "../../roles/ctl.ts";
import { CTL_ARGS } from "../ctl-args.ts";

const DESCRIPTIONS = {
  start: "Start a companion and wait until it is RUNNING (or failed)",
  stop: "Stop a companion and wait until it is STOPPED",
  restart: "Restart a companion and wait until it is RUNNING again (or failed)",
} as const;

/** `start|stop|restart NAME [--no-wait]`: one command per file is overkill for three identical shapes. */
export function createCompanionCommand(cmd: "start" | "stop" | "restart") {
  return defineCommand({
    meta: { name: cmd, description: DESCRIPTIONS[cmd] },
    args: {
      name: { type: "positional", description: "Companion name", required: false },
      ...CTL_ARGS,
      wait: { type: "boolean", default: true, description: "Wait for the outcome", negativeDescription: "Return once the manager accepted the command" },
    },
    async run({ args }): Promise<number> {
      if (args.name === undefined || args.name === "") throw new UsageError(`${cmd} needs a companion NAME`);
      if (args._.length > 1) throw new UsageError(`${cmd} takes one companion NAME`);
      return runCtl(await getRuntime(), args, { cmd, name: args.name, wait: args.wait !== false });
    },
  });
}
