/**
 * The CLI: one citty command tree with lazy subcommands (a companion process
 * loads neither the config validator nor the master), explicit argv (citty's
 * runMain would read process.argv, which differs in the binary and under
 * Deno), and exit statuses: 0 ok, 1 failure, 2 usage; each command's run
 * returns its status and main.ts alone exits. Arguments are parsed by
 * args.ts against each command's citty definition: citty's own parser sits on
 * node:util, which costs a ctl call ~6 ms to load under Bun; citty renders help.
 */
import { defineCommand, type CommandDef } from "citty";
import { ConfigError, errorMessage, FatalError } from "../errors.ts";
import type { Runtime } from "../runtime/index.ts";
import { VERSION } from "../version.ts";
import { moveGlobalOptions, parseCommandArgs, UsageError, type ArgDef } from "./args.ts";

const subCommands = {
  master: () => import("./commands/master.ts").then((m) => m.default),
  status: () => import("./commands/status.ts").then((m) => m.default),
  start: () => import("./commands/start.ts").then((m) => m.default),
  stop: () => import("./commands/stop.ts").then((m) => m.default),
  restart: () => import("./commands/restart.ts").then((m) => m.default),
  reread: () => import("./commands/reread.ts").then((m) => m.default),
  manager: () => import("./commands/manager.ts").then((m) => m.default),
  companion: () => import("./commands/companion.ts").then((m) => m.default),
  worker: () => import("./commands/worker.ts").then((m) => m.default),
};

type SubCommandName = keyof typeof subCommands;

const root = defineCommand({
  meta: {
    name: "gunicorn-companion",
    version: VERSION,
    description: "A process manager for TypeScript web apps: HTTP workers and supervised companion processes",
  },
  subCommands,
});

/** `gunicorn-companion 0.1.0 (bun 1.4.5, linux x64)`. */
export function formatVersion(runtime: Runtime): string {
  const compiled = runtime.snapshot().compiled ? " compiled" : "";
  return `gunicorn-companion ${VERSION} (${runtime.name} ${runtime.version}${compiled}, ${process.platform} ${process.arch})`;
}

async function showHelp(runtime: Runtime, argv: readonly string[]): Promise<void> {
  const { renderUsage } = await import("citty");
  const name = argv.find((arg) => !arg.startsWith("-")) as SubCommandName | undefined;
  const command = name !== undefined && name in subCommands ? ((await subCommands[name]()) as CommandDef) : (root as CommandDef);
  await runtime.write("stdout", `${await renderUsage(command, command === root ? undefined : (root as CommandDef))}\n`);
}

/** What a command's run returns: the exit status, or "keep-running" for a companion that lives on its event loop. */
export type ExitStatus = number | "keep-running";

async function dispatch(runtime: Runtime, argv: string[]): Promise<ExitStatus> {
  if (argv.length === 0) throw new UsageError("no command given; try --help");
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "-v")) {
    await runtime.write("stdout", `${formatVersion(runtime)}\n`);
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    await showHelp(runtime, argv);
    return 0;
  }
  const name = argv[0] as SubCommandName;
  if (!(name in subCommands)) throw new UsageError(`unknown command "${argv[0]}"; try --help`);
  const command = (await subCommands[name]()) as CommandDef;
  const rawArgs = argv.slice(1);
  const args = parseCommandArgs(rawArgs, ((await command.args) ?? {}) as Record<string, ArgDef>);
  const status: unknown = await command.run?.({ rawArgs, args: args as never, cmd: command, data: undefined });
  if (typeof status === "number" || status === "keep-running") return status;
  throw new Error(`command ${name} returned no exit status`);
}

/** Runs the CLI; returns the exit status, or "keep-running" for a companion that lives on its event loop. */
export async function runCli(runtime: Runtime, args: readonly string[]): Promise<ExitStatus> {
  try {
    return await dispatch(runtime, moveGlobalOptions(args));
  } catch (error) {
    const usage = error instanceof UsageError || (error as { name?: string }).name === "CLIError";
    if (usage) {
      await runtime.write("stderr", `gunicorn-companion: ${errorMessage(error)}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof FatalError) {
      await runtime.write("stderr", `gunicorn-companion: error: ${error.message}\n`);
      return error instanceof FatalError ? error.exitCode : 1;
    }
    await runtime.write("stderr", `gunicorn-companion: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
