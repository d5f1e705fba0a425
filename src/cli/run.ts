/**
 * The CLI: one citty command tree with lazy subcommands (a companion process
 * loads neither the config validator nor the master), explicit argv (citty's
 * runMain would read process.argv, which differs in the binary and under
 * Deno), and exit statuses: 0 ok, 1 failure, 2 usage. Each command's run
 * returns its status; main.ts alone exits. Arguments are parsed by args.ts
 * against each command's citty definition; citty renders help.
 */
import { defineCommand, type CommandDef } from "citty";
import { ConfigError, errorMessage, FatalError } from "../errors.ts";
import type { Runtime, ProcessInfo, Output } from "../runtime/index.ts";
import { VERSION } from "../version.ts";
import { parseArgs, type ArgDef } from "./args.ts";
import { UsageError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type CommandOutcome } from "../exit-codes.ts";
import { didYouMean } from "../suggest.ts";

const subCommands = {
  master: () => import("./commands/master.ts").then((m) => m.default),
  status: () => import("./commands/status.ts").then((m) => m.default),
  start: () => import("./commands/start.ts").then((m) => m.default),
  stop: () => import("./commands/stop.ts").then((m) => m.default),
  restart: () => import("./commands/restart.ts").then((m) => m.default),
  signal: () => import("./commands/signal.ts").then((m) => m.default),
  reread: () => import("./commands/reread.ts").then((m) => m.default),
  logs: () => import("./commands/logs.ts").then((m) => m.default),
  check: () => import("./commands/check.ts").then((m) => m.default),
  "systemd-unit": () => import("./commands/systemd-unit.ts").then((m) => m.default),
  completion: () => import("./commands/completion.ts").then((m) => m.default),
  manager: () => import("./commands/manager.ts").then((m) => m.default),
  companion: () => import("./commands/companion.ts").then((m) => m.default),
  worker: () => import("./commands/worker.ts").then((m) => m.default),
  "reread-config": () => import("./commands/reread-config.ts").then((m) => m.default),
};

type SubCommandName = keyof typeof subCommands;

/** The commands an operator types (the manager, companion and worker roles are started by the master). */
export const PUBLIC_COMMANDS = Object.keys(subCommands).filter((name) => !["manager", "companion", "worker", "reread-config"].includes(name));

const root = defineCommand({
  meta: {
    name: "gunicorn-companion",
    version: VERSION,
    description: "A process manager for TypeScript web apps: HTTP workers and supervised companion processes",
  },
  subCommands,
});

/** `gunicorn-companion 0.1.0 (bun 1.4.5, linux x64)`. */
export function formatVersion(runtime: ProcessInfo): string {
  const compiled = runtime.snapshot().compiled ? " compiled" : "";
  return `gunicorn-companion ${VERSION} (${runtime.name} ${runtime.version}${compiled}, ${process.platform} ${process.arch})`;
}

async function showHelp(runtime: Output, command: CommandDef): Promise<void> {
  const { renderUsage } = await import("citty");
  await runtime.write("stdout", `${await renderUsage(command, command === root ? undefined : (root as CommandDef))}\n`);
}

/**
 * Where the command name is: the ctl's `-s SOCKET` and `-c CONFIG` (and
 * `--help`) may come before it (`gunicorn-companion -s SOCK status`). Only
 * that prefix is read; the command's parse reads them as its own options.
 */
function commandIndex(argv: readonly string[]): number {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === "-s" || arg === "-c" || arg === "--socket" || arg === "--config" || arg === "--trust-owner") i += 2;
    else if (arg.startsWith("-s") || arg.startsWith("-c") || arg.startsWith("--socket=") || arg.startsWith("--config=") || arg.startsWith("--trust-owner=") || arg === "--help" || arg === "-h") i += 1;
    else break;
  }
  return i;
}


async function dispatch(runtime: Runtime, argv: readonly string[]): Promise<CommandOutcome> {
  if (argv.length === 0) throw new UsageError("no command given; try --help");
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "-v")) {
    await runtime.write("stdout", `${formatVersion(runtime)}\n`);
    return EXIT_OK;
  }
  const at = commandIndex(argv);
  const name = argv[at];
  if (name === undefined || !(name in subCommands)) {
    // Help for the whole program: asked for with no command, or with one we do not know.
    if (argv.includes("--help") || argv.includes("-h")) {
      await showHelp(runtime, root as CommandDef);
      return EXIT_OK;
    }
    if (name === undefined) throw new UsageError("no command given; try --help");
    const hint = didYouMean(name, PUBLIC_COMMANDS);
    throw new UsageError(`unknown command "${name}"${hint === "" ? "; try --help" : hint}`);
  }
  const command = (await subCommands[name as SubCommandName]()) as CommandDef;
  const { args, help } = parseArgs(argv, ((await command.args) ?? {}) as Record<string, ArgDef>, at);
  if (help) {
    await showHelp(runtime, command);
    return EXIT_OK;
  }
  const rawArgs = [...argv.slice(0, at), ...argv.slice(at + 1)];
  const status: unknown = await command.run?.({ rawArgs, args: args as never, cmd: command, data: undefined });
  if (typeof status === "number" || status === "keep-running") return status;
  throw new Error(`command ${name} returned no exit status`);
}

/** Runs the CLI; returns the exit status, or "keep-running" for a companion that lives on its event loop. */
export async function runCli(runtime: Runtime, args: readonly string[]): Promise<CommandOutcome> {
  try {
    return await dispatch(runtime, args);
  } catch (error) {
    const usage = error instanceof UsageError || (error as { name?: string }).name === "CLIError";
    if (usage) {
      await runtime.write("stderr", `gunicorn-companion: ${errorMessage(error)}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError || error instanceof FatalError) {
      await runtime.write("stderr", `gunicorn-companion: error: ${error.message}\n`);
      return error instanceof FatalError ? error.exitCode : EXIT_FAILURE;
    }
    await runtime.write("stderr", `gunicorn-companion: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
