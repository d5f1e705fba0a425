import { defineCommand } from "citty";
import { isAbsolute, resolve } from "node:path";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";

/** `check -c FILE`: validate a config (and its companion_config_file) without starting anything. */
export default defineCommand({
  meta: { name: "check", description: "Validate a config file and list its companions; exit 1 with every issue" },
  args: {
    file: { type: "positional", required: false, description: "The config file (same as -c)" },
    config: { type: "string", alias: "c", description: "The config file to check" },
  },
  async run({ args }): Promise<number> {
    const file = args.config ?? args.file;
    if (file === undefined || file === "") throw new UsageError("check needs a config file: check -c FILE");
    if (args._.length > 1 || (args.config !== undefined && args._.length > 0)) throw new UsageError("check takes one config file");
    const runtime = await getRuntime();
    const cwd = runtime.cwd();
    const { runCheck } = await import("../../roles/check.ts");
    return runCheck(runtime, { configFile: isAbsolute(file) ? file : resolve(cwd, file), overrides: {}, cwd });
  },
});
