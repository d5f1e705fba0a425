import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";
import { DEFAULT_LOG_LINES, MAX_LOG_LINES } from "../../control/protocol.ts";
import { runLogs } from "../../roles/ctl-logs.ts";
import { CTL_ARGS } from "../ctl-args.ts";

/** `logs NAME [-n LINES] [-f] [--stderr]`: a companion's last output lines, then (with -f) every new one. */
export default defineCommand({
  meta: { name: "logs", description: "Show a companion's last output lines (-f: and follow)" },
  args: {
    name: { type: "positional", description: "Companion or group name, or all", required: false },
    lines: { type: "string", alias: "n", description: `Lines to show first (default ${DEFAULT_LOG_LINES})` },
    follow: { type: "boolean", alias: "f", description: "Keep printing new lines until Ctrl-C" },
    stderr: { type: "boolean", description: "The stderr stream instead of stdout" },
    ...CTL_ARGS,
  },
  async run({ args }): Promise<number> {
    if (args.name === undefined || args.name === "") throw new UsageError("logs needs a companion NAME");
    if (args._.length > 1) throw new UsageError("logs takes one companion NAME");
    const lines = args.lines === undefined ? DEFAULT_LOG_LINES : Number(args.lines);
    if (!Number.isInteger(lines) || lines < 0 || lines > MAX_LOG_LINES) throw new UsageError(`-n expects a whole number from 0 to ${MAX_LOG_LINES}, got ${JSON.stringify(args.lines)}`);
    const request = { cmd: "logs" as const, name: args.name, lines, follow: args.follow === true, stream: args.stderr === true ? ("stderr" as const) : ("stdout" as const) };
    return runLogs(await getRuntime(), args, request);
  },
});
