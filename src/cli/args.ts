/**
 * The command-line parser: one pass over argv against a command's citty
 * argument definitions. Unknown options are usage errors, `--name=value`
 * splits at the first `=`, short options take attached values (`-w4`,
 * `-bunix:/x`), `--no-NAME` turns a boolean off, repeatable options collect
 * every value, and `--` ends the options. citty's own parser sits on
 * node:util, which under Bun costs a ctl call ~6 ms to load.
 */
import { UsageError } from "../errors.ts";

/** The subset of a citty argument definition we look at, plus `repeat` for options given several times. */
export interface ArgDef {
  type?: "string" | "boolean" | "positional" | "enum";
  alias?: string | string[];
  default?: unknown;
  /** Every value is kept, in order, as a string array (`-b a -b b`); otherwise the last one wins. */
  repeat?: boolean;
}

/** Parsed arguments as commands see them: `_` for the positionals, each option by its defined name. */
export type ParsedArgs = { _: string[] } & Record<string, string | boolean | string[] | undefined>;

/** What one parse found: the arguments, and whether `--help`/`-h` was among the options. */
export interface ParseResult {
  args: ParsedArgs;
  help: boolean;
}

type Option = { name: string; def: ArgDef };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every spelling of each option (name, kebab-case name, aliases) to its definition. */
function optionTable(defs: Record<string, ArgDef>): Map<string, Option> {
  const table = new Map<string, Option>();
  for (const name in defs) {
    const def = defs[name] as ArgDef;
    if (def.type === "positional") continue;
    const option = { name, def };
    table.set(name, option);
    table.set(kebab(name), option);
    if (typeof def.alias === "string") table.set(def.alias, option);
    else if (def.alias !== undefined) for (const alias of def.alias) table.set(alias, option);
  }
  return table;
}

/**
 * Parses `argv` against a command's argument definitions in one pass.
 * `skip` is an index left out (the command name, when options come before it).
 * Defaults apply to what is not given; positionals fill the positional
 * definitions in order. The first usage error is thrown at the end, unless
 * `--help` was asked for, which wins.
 */
export function parseArgs(argv: readonly string[], defs: Record<string, ArgDef>, skip = -1): ParseResult {
  const table = optionTable(defs);
  const args: ParsedArgs = { _: [] };
  for (const name in defs) {
    const value = (defs[name] as ArgDef).default;
    if (value !== undefined) args[name] = value as string | boolean;
  }
  let help = false;
  let error: string | null = null;
  const set = (option: Option, value: string) => {
    if (option.def.repeat !== true) {
      args[option.name] = value;
      return;
    }
    const values = args[option.name];
    if (Array.isArray(values)) values.push(value);
    else args[option.name] = [value];
  };

  for (let i = 0; i < argv.length; i++) {
    if (i === skip) continue;
    const arg = argv[i] as string;
    if (arg.length < 2 || arg.charCodeAt(0) !== 45 /* - */) {
      args._.push(arg);
      continue;
    }
    if (arg === "--") {
      for (let j = i + 1; j < argv.length; j++) if (j !== skip) args._.push(argv[j] as string);
      break;
    }
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const long = arg.charCodeAt(1) === 45;
    let flag: string;
    let inline: string | undefined;
    if (long) {
      const eq = arg.indexOf("=");
      flag = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else {
      // -w4, -w=4 and -w 4 all give 4; -bunix:/x gives unix:/x.
      flag = arg[1] as string;
      if (arg.length > 2) inline = arg.charCodeAt(2) === 61 /* = */ ? arg.slice(3) : arg.slice(2);
    }
    const option = table.get(flag);
    if (option === undefined) {
      const negated = long && flag.startsWith("no-") ? table.get(flag.slice(3)) : undefined;
      if (negated === undefined || negated.def.type !== "boolean") error ??= `unknown option ${long ? `--${flag}` : `-${flag}`}`;
      else if (inline !== undefined) error ??= `option --${flag} takes no value`;
      else args[negated.name] = false;
      continue;
    }
    if (option.def.type === "boolean") {
      if (inline !== undefined && !long && arg.charCodeAt(2) !== 61) error ??= `option -${flag} takes no value`;
      else args[option.name] = inline === undefined ? true : inline !== "false";
      continue;
    }
    if (inline !== undefined) {
      set(option, inline);
    } else if (i + 1 < argv.length && i + 1 !== skip) {
      i += 1;
      set(option, argv[i] as string);
    } else {
      error ??= `option ${arg} needs a value`;
    }
  }

  let index = 0;
  for (const name in defs) {
    if ((defs[name] as ArgDef).type !== "positional") continue;
    const value = args._[index++];
    if (value !== undefined) args[name] = value;
  }
  if (error !== null && !help) throw new UsageError(error);
  return { args, help };
}

/** A numeric option as a number, or as the string given (so the config check names the bad value). */
export function numberOrString(value: string): number | string {
  const number = Number(value);
  return value.trim() !== "" && Number.isFinite(number) ? number : value;
}
