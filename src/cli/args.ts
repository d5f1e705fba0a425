/**
 * What citty leaves to us: unknown options are usage errors (citty ignores
 * them), options may be repeated (`-b a -b b`), and the ctl's `-s SOCKET`
 * may come before the command name.
 */

/** A usage error: exit status 2 with a one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The subset of a citty argument definition we look at. */
export interface ArgDef {
  type?: "string" | "boolean" | "positional" | "enum";
  alias?: string | string[];
  default?: unknown;
}

const GLOBAL_VALUE_OPTIONS = new Set(["-s", "--socket", "-c", "--config"]);

/**
 * Moves options given before the command name behind it, so that
 * `gunicorn-companion -s SOCK status` reads like `status -s SOCK`.
 */
export function moveGlobalOptions(argv: readonly string[]): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] ?? "";
    if (GLOBAL_VALUE_OPTIONS.has(arg)) {
      leading.push(arg, argv[i + 1] ?? "");
      i += 2;
    } else if (/^--(socket|config)=/.test(arg)) {
      leading.push(arg);
      i += 1;
    } else {
      break;
    }
  }
  if (leading.length === 0 || i >= argv.length) return [...argv];
  return [argv[i] ?? "", ...leading, ...argv.slice(i + 1)];
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Throws a `UsageError` for any option the command does not define. */
export function assertKnownOptions(argv: readonly string[], defs: Record<string, ArgDef>): void {
  const known = new Map<string, ArgDef>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    known.set(name, def);
    known.set(kebab(name), def);
    for (const alias of [def.alias ?? []].flat()) known.set(alias, def);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") break;
    if (!arg.startsWith("-") || arg === "-") continue;
    const body = arg.replace(/^--?/, "");
    const [name = "", inline] = body.split("=", 2);
    const negated = name.startsWith("no-") ? known.get(name.slice(3)) : undefined;
    const def = known.get(name) ?? negated;
    if (def === undefined) throw new UsageError(`unknown option ${arg.split("=")[0]}`);
    if (def.type !== "boolean" && inline === undefined && negated === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`option ${arg} needs a value`);
      i += 1;
    }
  }
}

/** Every value of a repeatable option (`-b a -b b`, `--bind=a`). */
export function collectRepeated(argv: readonly string[], names: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") break;
    const flag = names.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (flag === undefined) continue;
    if (arg === flag) {
      values.push(argv[i + 1] ?? "");
      i += 1;
    } else {
      values.push(arg.slice(flag.length + 1));
    }
  }
  return values;
}

/** A numeric option as a number, or as the string given (so the config check names the bad value). */
export function numberOrString(value: string): number | string {
  const number = Number(value);
  return value.trim() !== "" && Number.isFinite(number) ? number : value;
}

/** Parsed arguments as commands see them: `_` for the positionals, each option by its defined name. */
export type ParsedArgs = { _: string[] } & Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `argv` against a command's argument definitions (string, boolean with
 * `--no-` forms, positionals in order, aliases, `--name=value`). Unknown options
 * are usage errors. Defaults apply to what is not given.
 */
export function parseCommandArgs(argv: readonly string[], defs: Record<string, ArgDef & { default?: unknown }>): ParsedArgs {
  assertKnownOptions(argv, defs);
  const byFlag = new Map<string, [string, ArgDef]>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") continue;
    for (const flag of [name, kebab(name), ...[def.alias ?? []].flat()]) byFlag.set(flag, [name, def]);
  }
  const parsed: ParsedArgs = { _: [] };
  for (const [name, def] of Object.entries(defs)) if (def.default !== undefined) parsed[name] = def.default as string | boolean;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      parsed._.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      parsed._.push(arg);
      continue;
    }
    const [flag = "", inline] = arg.replace(/^--?/, "").split("=", 2);
    const direct = byFlag.get(flag);
    if (direct === undefined && flag.startsWith("no-")) {
      const negated = byFlag.get(flag.slice(3));
      if (negated !== undefined) parsed[negated[0]] = false;
      continue;
    }
    if (direct === undefined) continue;
    const [name, def] = direct;
    if (def.type === "boolean") parsed[name] = inline === undefined ? true : inline !== "false";
    else {
      parsed[name] = inline ?? argv[i + 1] ?? "";
      if (inline === undefined) i += 1;
    }
  }
  const positionals = Object.entries(defs).filter(([, def]) => def.type === "positional");
  positionals.forEach(([name], index) => {
    if (parsed._[index] !== undefined) parsed[name] = parsed._[index];
  });
  return parsed;
}
