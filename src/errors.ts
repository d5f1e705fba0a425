/**
 * The named errors of the product. Each says what failed and with what, and
 * passes the underlying `cause` on.
 */

/** One problem in a config: where (`companion_workers[1].stop_signal`), what was there, and what is wrong. */
export interface ConfigIssue {
  /** The setting path, e.g. `companion_workers[1].stop_signal`. */
  path: string;
  message: string;
  /** The value found there; `undefined` when the setting is missing. */
  value?: unknown;
  /** The companion's name when the issue is inside a companion spec. */
  companion?: string;
}

/** Renders a value for an error message, short and unambiguous. */
export function formatValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A setting or key name that holds a secret: secret, token, password/passwd, passphrase, credential, api_key, or `key` as a word (`SSH_KEY`, `privateKey`; not `keepalive`, `monkey`, `keyfile`). */
const SECRET_NAME = /secret|token|passw(or)?d|passphrase|credential|api[_-]?key|(^|[_.-])key($|[_.-])/i;
const CAMEL_KEY = /[a-z0-9]Key($|[A-Z_])/;

/** True when a setting or key name looks like it holds a secret. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || CAMEL_KEY.test(name);
}

/** The placeholder printed instead of a hidden value. */
export const HIDDEN = "<hidden>";

/** True when the value at a setting path must not be printed: anything under `env` or `companion_env`, the lease URL (it may carry a password), or under a name that looks secret. */
export function isSecretPath(path: string): boolean {
  const names = path.split(/[.[\]]+/).filter((name) => name !== "" && !/^\d+$/.test(name));
  return names.some((name) => name === "env" || name === "companion_env" || name === "companion_lease_url" || isSecretName(name));
}

/** Formats one issue as `path = value (companion "x"): message`; a secret's value is `<hidden>`, in the message too. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.companion === undefined ? issue.path : `${issue.path} (companion "${issue.companion}")`;
  const hidden = issue.value !== undefined && isSecretPath(issue.path);
  const value = "value" in issue && issue.value !== undefined ? ` = ${hidden ? HIDDEN : formatValue(issue.value)}` : "";
  return `${where}${value}: ${hidden ? hideIn(issue.message, issue.value) : issue.message}`;
}

/** The message with the value's spellings replaced by `<hidden>`: after "received" (valibot's own messages), and anywhere when longer than 3 characters. */
function hideIn(message: string, value: unknown): string {
  const spellings = [...new Set([String(value), formatValue(value), `"${String(value)}"`])].sort((a, b) => b.length - a.length);
  let text = message;
  for (const spelling of spellings) {
    if (spelling === "") continue;
    text = text.split(`received ${spelling}`).join(`received ${HIDDEN}`);
    if (spelling.length > 3) text = text.split(spelling).join(HIDDEN);
  }
  return text;
}

/** A config file (or the command line) that cannot be used. Names the source, the setting and the value. */
export class ConfigError extends Error {
  /** The config file, or "command line", where the (first) problem is. */
  readonly source: string;
  readonly issues: readonly ConfigIssue[];
  /** The errors, one per source, this one combines (itself when it combines none). */
  readonly parts: readonly ConfigError[];
  constructor(source: string, issues: readonly ConfigIssue[], options: { cause?: unknown; parts?: readonly ConfigError[] } = {}) {
    super(`${source}: ${issues.map(formatConfigIssue).join("; ")}`, { cause: options.cause });
    this.name = "ConfigError";
    this.source = source;
    this.issues = issues;
    this.parts = options.parts ?? [this];
  }

  /** Every issue as one line naming its source: `file: path = value: message`. */
  lines(): string[] {
    return this.parts.flatMap((part) => part.issues.map((issue) => `${part.source}: ${formatConfigIssue(issue)}`));
  }

  /** One error for problems found in several sources: `a.ts: …; command line: …`. */
  static combine(errors: readonly ConfigError[]): ConfigError {
    const [first] = errors;
    if (first === undefined) throw new Error("ConfigError.combine needs at least one error");
    if (errors.length === 1) return first;
    const combined = new ConfigError(first.source, errors.flatMap((e) => e.issues), { parts: errors.flatMap((e) => e.parts) });
    combined.message = errors.map((e) => e.message).join("; ");
    return combined;
  }
}

/** Why a control request failed, as a code the ctl and tests can match. */
export type ControlErrorCode = "bad_request" | "unknown_companion" | "invalid_state" | "shutting_down" | "invalid_config" | "unreachable";

/** A control request that could not be carried out. */
export class ControlError extends Error {
  readonly code: ControlErrorCode;
  constructor(code: ControlErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ControlError";
    this.code = code;
  }
}

/** A problem that ends the program with a clear one-line message and a given exit status. */
export class FatalError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "FatalError";
    this.exitCode = exitCode;
  }
}

/** The message of any thrown value. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A usage error: exit status 2 with a one-line reason. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
