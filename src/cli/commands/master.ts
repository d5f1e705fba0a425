import { defineCommand } from "citty";
import { isAbsolute, resolve } from "node:path";
import { turnGcTimerOff } from "../../gc-timer.ts";
import { getRuntime } from "../../runtime/index.ts";
import { numberOrString } from "../args.ts";
import { UsageError } from "../../errors.ts";

/** The master's options; each is also a setting, and the command line wins over the config file. */
export const MASTER_ARGS = {
  app: { type: "positional", required: false, description: "The app: path/to/module.ts[:export]" },
  config: { type: "string", alias: "c", description: "Config file (.ts, .mts, .js, .mjs or .json)" },
  bind: { type: "string", alias: "b", repeat: true, description: "Address to listen on (repeatable): host:port, [::1]:port, unix:/path" },
  workers: { type: "string", alias: "w", description: "Number of HTTP workers" },
  timeout: { type: "string", description: "Seconds before a silent worker is replaced" },
  "graceful-timeout": { type: "string", description: "Seconds workers get to finish requests on stop/reload" },
  preload: { type: "boolean", description: "Load the app in the master before starting workers" },
  "max-requests": { type: "string", description: "Recycle a worker after this many requests" },
  "max-requests-jitter": { type: "string", description: "Random extra requests per worker before recycling" },
  pid: { type: "string", alias: "p", description: "Pid file" },
  "access-logfile": { type: "string", description: "Access log file, or - for stdout" },
  "log-level": { type: "string", description: "debug, info, warning, error or critical" },
  "log-format": { type: "string", description: "text (default) or json (one object per line)" },
  "companion-config": { type: "string", description: "File whose companion_* settings replace the main file's" },
  "companion-control-socket": { type: "string", description: "Unix socket for the ctl" },
  "check-config": { type: "boolean", description: "Validate the config (and companion_config_file), list the companions and exit; starts nothing" },
} as const;

type MasterArgs = { [K in Exclude<keyof typeof MASTER_ARGS, "bind">]?: string | boolean } & { bind?: string[]; _: string[] };

/** Turns command-line options into settings (CLI wins over files); values are checked with the config. */
export function overridesFromArgs(args: MasterArgs): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  const text = (name: keyof typeof MASTER_ARGS) => (typeof args[name] === "string" ? (args[name] as string) : undefined);
  const set = (setting: string, value: unknown) => {
    if (value !== undefined) overrides[setting] = value;
  };
  set("app", text("app"));
  if (args.bind !== undefined && args.bind.length > 0) overrides.bind = args.bind;
  for (const [flag, setting] of [
    ["workers", "workers"],
    ["timeout", "timeout"],
    ["graceful-timeout", "graceful_timeout"],
    ["max-requests", "max_requests"],
    ["max-requests-jitter", "max_requests_jitter"],
  ] as const) {
    const value = text(flag);
    if (value !== undefined) overrides[setting] = numberOrString(value);
  }
  if (args.preload === true) overrides.preload_app = true;
  set("pidfile", text("pid"));
  set("accesslog", text("access-logfile"));
  set("loglevel", text("log-level"));
  set("companion_config_file", text("companion-config"));
  set("companion_control_socket", text("companion-control-socket"));
  return overrides;
}

/** Where the master's settings come from: the config file (absolute) and the command line. */
function sourcesFromArgs(cwd: string, args: MasterArgs & { config?: string | boolean }) {
  const config = typeof args.config === "string" && args.config !== "" ? args.config : null;
  return { configFile: config === null ? null : isAbsolute(config) ? config : resolve(cwd, config), overrides: overridesFromArgs(args), cwd };
}

/** `master --check-config`: the settings the master would run with, checked; nothing starts. */
async function checkConfig(runtime: Awaited<ReturnType<typeof getRuntime>>, args: unknown): Promise<number> {
  const { runCheck } = await import("../../roles/check.ts");
  return runCheck(runtime, sourcesFromArgs(runtime.cwd(), args as MasterArgs));
}

/** `master [APP] [options]`: run the master. */
export default defineCommand({
  meta: { name: "master", description: "Run the master: HTTP workers and the companion manager" },
  args: MASTER_ARGS,
  async run({ args }): Promise<number> {
    const runtime = await getRuntime();
    if (args["check-config"] === true) return checkConfig(runtime, args);
    // Under Bun: once, before anything else, the same pid runs on with the GC timer off.
    turnGcTimerOff(runtime);
    const format = args["log-format"] ?? "text";
    if (format !== "text" && format !== "json") throw new UsageError(`--log-format must be text or json, not "${format}"`);
    if (args._.length > 1) throw new UsageError(`master takes one APP, got ${args._.length}: ${args._.join(" ")}`);
    const { runMaster } = await import("../../roles/master.ts");
    return runMaster(runtime, { sources: sourcesFromArgs(runtime.cwd(), args as unknown as MasterArgs), logFormat: format });
  },
});
