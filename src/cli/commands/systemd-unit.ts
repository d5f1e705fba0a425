import { defineCommand } from "citty";
import { isAbsolute, resolve } from "node:path";
import { UsageError } from "../../errors.ts";
import { formatSelfArgv, getRuntime } from "../../runtime/index.ts";
import { VERSION } from "../../version.ts";

/** `systemd-unit -c FILE [--user USER]`: print a systemd unit that runs the master with this config. */
export default defineCommand({
  meta: { name: "systemd-unit", description: "Print a systemd unit running the master with this config (this program, this directory)" },
  args: {
    config: { type: "string", alias: "c", description: "The config file the master runs with" },
    user: { type: "string", description: "User= of the unit (default: none, root)" },
  },
  async run({ args }): Promise<number> {
    if (args.config === undefined || args.config === "") throw new UsageError("systemd-unit needs a config file: systemd-unit -c FILE");
    if (args._.length > 0) throw new UsageError(`systemd-unit takes no arguments, got ${args._.join(" ")}`);
    const runtime = await getRuntime();
    const cwd = runtime.cwd();
    const configFile = isAbsolute(args.config) ? args.config : resolve(cwd, args.config);
    const [{ loadConfig }, { renderSystemdUnit }] = await Promise.all([import("../../config/load.ts"), import("../systemd-unit.ts")]);
    // Checked now: a unit for a config that cannot start is no use.
    const { settings } = await loadConfig(runtime, { configFile, overrides: {}, cwd });
    const unit = renderSystemdUnit({
      execStart: formatSelfArgv(runtime.snapshot(), ["master", "-c", configFile]),
      configFile,
      workingDirectory: cwd,
      user: typeof args.user === "string" && args.user !== "" ? args.user : null,
      gracefulTimeout: settings.graceful_timeout,
      managerStopTimeout: settings.companion_manager_stop_timeout,
      version: `gunicorn-companion ${VERSION}`,
    });
    await runtime.write("stdout", unit);
    return 0;
  },
});
