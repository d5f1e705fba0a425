/**
 * Every setting, its type, default and meaning, as valibot schemas. The
 * descriptions here are the ones `docs/settings.md` shows. Setting names are
 * gunicorn's, in snake_case.
 */
import * as v from "valibot";
import { SIGNAL_NAMES, isSignalName } from "../runtime/signals.ts";
import type { SignalName } from "../runtime/types.ts";
import { parseBind } from "./bind.ts";
import { MAX_NUMPROCS } from "./instances.ts";
import { parseModuleExport } from "./target.ts";

const SIGNAL_LIST = SIGNAL_NAMES.filter((s) => s !== "SIGKILL").join(", ");

/** A duration in seconds; fractions allowed (`startsecs: 0.2`), never negative. */
const Seconds = v.pipe(
  v.number("expected a number of seconds"),
  v.finite("expected a finite number of seconds"),
  v.minValue(0, "must not be negative"),
);

const NonEmptyString = v.pipe(v.string("expected a string"), v.nonEmpty("must not be empty"));

/** `"SIGTERM"` or `"TERM"`, normalised to `"SIGTERM"`. */
const Signal = v.pipe(
  v.string("expected a signal name such as \"SIGTERM\""),
  v.transform((name) => (name.startsWith("SIG") ? name : `SIG${name}`)),
  v.check((name) => isSignalName(name), `unknown signal; expected one of ${SIGNAL_LIST}`),
  v.transform((name) => name as SignalName),
);

/** A file path or "inherit". */
const StdoutTarget = v.pipe(
  NonEmptyString,
  v.check((value) => value !== "stdout", '"stdout" is only valid for stderr; use a file path or "inherit"'),
);

/** A file path, "stdout" (same place as stdout) or "inherit". */
const StderrTarget = NonEmptyString;

const Env = v.pipe(
  v.custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null && !Array.isArray(value), "expected an object of strings"),
  v.record(v.string(), v.string("environment values must be strings"), "expected an object of strings"),
);

/** A program to run: a shell string, or an argv whose first element is the program. */
const Command = v.union(
  [
    v.pipe(v.string(), v.nonEmpty("must not be empty")),
    v.pipe(
      v.array(v.string("expected every argument to be a string"), "expected a string or a list of strings"),
      v.minLength(1, "expected at least the program (a non-empty list)"),
      v.check((argv) => argv[0] !== "", "the program (the first element) must not be empty"),
    ),
  ],
  'expected a shell command string or an argv list such as ["sleep", "60"]',
);

const Numprocs = v.pipe(
  v.number(`expected a whole number from 1 to ${MAX_NUMPROCS}`),
  v.integer(`expected a whole number from 1 to ${MAX_NUMPROCS}`),
  v.minValue(1, `expected a whole number from 1 to ${MAX_NUMPROCS}`),
  v.maxValue(MAX_NUMPROCS, `expected a whole number from 1 to ${MAX_NUMPROCS}`),
);

const COMPANION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.@-]*$/;

/** When a companion that exited on its own is started again. */
export const RESTART_POLICIES = ["always", "on-failure", "never"] as const;

const RestartPolicy = v.picklist(RESTART_POLICIES, `expected one of ${RESTART_POLICIES.map((p) => `"${p}"`).join(", ")}`);

/** Consecutive failed starts before FATAL: a whole number from 1, or null (retry forever). */
const StartRetries = v.nullable(
  v.pipe(v.number("expected a whole number"), v.integer("expected a whole number"), v.minValue(1, "must be at least 1 (or null: retry forever)")),
);

/** One companion as written in a config file. Unknown keys are errors; exactly one of target and command is checked by rules.ts. */
export const CompanionSpecSchema = v.strictObject(
  {
    name: v.pipe(
      NonEmptyString,
      // ":" names the members of a numprocs companion ("w:0"), so a configured name cannot have one.
      v.check((name) => !name.includes(":"), 'must not contain ":" (it names numprocs members, such as "w:0")'),
      v.regex(COMPANION_NAME, "must be letters, digits, '_', '.', '@' or '-' (and not start with '.', '@' or '-')"),
    ),
    target: v.optional(
      v.pipe(
        NonEmptyString,
        v.check((t) => parseModuleExport(t, null) !== null, 'expected "module:export", e.g. "./jobs/worker.ts:run"'),
      ),
    ),
    command: v.optional(Command),
    numprocs: v.optional(Numprocs),
    cwd: v.optional(NonEmptyString),
    env: v.optional(Env),
    env_file: v.optional(NonEmptyString),
    stop_signal: v.optional(Signal),
    stop_timeout: v.optional(Seconds),
    reload_timeout: v.optional(Seconds),
    startsecs: v.optional(Seconds),
    stdout: v.optional(StdoutTarget),
    stderr: v.optional(StderrTarget),
    restart_policy: v.optional(RestartPolicy),
    restart_delay: v.optional(Seconds),
    restart_delay_max: v.optional(Seconds),
    start_retries: v.optional(StartRetries),
  },
  "unknown key",
);

/** A socket file mode: a number (0o600) or an octal string ("0600", "660"). */
const SocketMode = v.pipe(
  v.union([v.number(), v.pipe(v.string(), v.regex(/^0?o?[0-7]{3,4}$/, "expected an octal mode such as \"0600\""))], "expected a file mode such as 0o600 or \"0600\""),
  v.transform((mode) => (typeof mode === "number" ? mode : Number.parseInt(mode.replace(/^0?o?/, ""), 8))),
  v.integer("expected a whole file mode"),
  v.minValue(0, "must not be negative"),
  v.maxValue(0o777, "must be at most 0o777"),
);

const isBind = (address: string) => {
  try {
    parseBind(address);
    return true;
  } catch {
    return false;
  }
};

const Bind = v.pipe(
  v.union([NonEmptyString, v.array(NonEmptyString)], "expected an address or a list of addresses"),
  v.transform((value) => (Array.isArray(value) ? value : [value])),
  v.check((list) => list.length > 0, "expected at least one address"),
  v.check((list) => list.every(isBind), 'expected "host:port", "[::1]:port" or "unix:/path"'),
);

const Count = (min: number) =>
  v.pipe(v.number("expected a whole number"), v.integer("expected a whole number"), v.minValue(min, `must be at least ${min}`));

/** The log levels gunicorn knows. */
export const LOG_LEVELS = ["debug", "info", "warning", "error", "critical"] as const;

/** Settings that the companion manager uses (the `companion_*` family). */
export const COMPANION_SETTING_NAMES = [
  "companion_workers",
  "companion_config_file",
  "companion_control_socket",
  "companion_control_socket_mode",
  "companion_control_idle_timeout",
  "companion_stop_signal",
  "companion_stop_timeout",
  "companion_reload_timeout",
  "companion_startsecs",
  "companion_restart_delay",
  "companion_restart_delay_max",
  "companion_restart_policy",
  "companion_start_retries",
  "companion_stdout",
  "companion_stderr",
  "companion_cwd",
  "companion_env",
  "companion_env_file",
  "companion_manager_stop_timeout",
  "companion_manager_shutdown_buffer",
] as const;

/** Documentation of every setting: its meaning, shown in `docs/settings.md`. */
export const SETTING_DOCS: Record<string, string> = {
  app: "The application, `path/to/module.ts[:export]`; same as the APP argument.",
  bind: "Addresses to listen on: `host:port`, `[::1]:port` or `unix:/path`.",
  workers: "Number of HTTP worker processes.",
  timeout: "Seconds a silent worker lives before it is killed and replaced (0 disables).",
  graceful_timeout: "Seconds workers get to finish in-flight requests on stop or reload.",
  max_requests: "Recycle a worker after this many requests (0 disables).",
  max_requests_jitter: "Add a random 0..N to max_requests per worker.",
  preload_app: "Load the app once in the master before any worker starts.",
  pidfile: "Write the master's pid to this file; removed on exit.",
  accesslog: "Access log: `-` for stdout, or a file path.",
  loglevel: "debug, info, warning, error or critical.",
  env_file:
    "An env file (`KEY=VALUE` lines) read into the master's environment at start, so the app, the HTTP workers, the manager and companions inherit it; its values win over the inherited ones; a change needs a restart. Read by our own parser, the same on every runtime; a missing file is an error. No `.env` is read unless named here.",
  companion_workers: "The companion specs.",
  companion_config_file: "A file whose companion_* settings replace the main file's.",
  companion_control_socket: "Unix socket path of the control socket; no socket when unset.",
  companion_control_socket_mode: "File mode of the control socket.",
  companion_control_idle_timeout:
    "Seconds a control connection may stay idle (no request in progress and no complete request received) before the manager closes it; 0 never closes an idle connection.",
  companion_stop_signal: "Default stop signal.",
  companion_stop_timeout: "Default seconds between the stop signal and SIGKILL.",
  companion_reload_timeout: "Default seconds to wait for the old process on restart before SIGKILL.",
  companion_startsecs: "Default seconds a companion must stay up to count as RUNNING.",
  companion_restart_delay: "Default seconds in BACKOFF before a companion that exited is started again.",
  companion_restart_delay_max:
    "Default upper bound of the restart delay: when larger than restart_delay, each consecutive crash doubles the delay up to it (the count starts over once a run lasts longer than it). Unset: a fixed delay.",
  companion_restart_policy: 'Default restart policy: "always", "on-failure" (a clean exit 0 is final) or "never". A companion that exits and is not restarted is EXITED.',
  companion_start_retries:
    "Default number of consecutive exits before startsecs (or failed spawns) after which a companion is FATAL and not retried; null retries forever.",
  companion_stdout: 'Default stdout of companions: a file path (appended to) or "inherit".',
  companion_stderr: 'Default stderr of companions: a file path, "stdout" or "inherit".',
  companion_cwd: "Default working directory of companions.",
  companion_env: "Extra environment for every companion (a companion's own env is merged over it).",
  companion_env_file:
    "An env file for every companion (a path relative to the master's working directory); under a companion's own env_file, and under companion_env and env. Re-read on reread and HUP.",
  companion_manager_stop_timeout:
    "Seconds the master waits for the manager on shutdown; derived as the slowest stop_timeout + companion_manager_shutdown_buffer when unset.",
  companion_manager_shutdown_buffer: "Seconds added to the slowest stop_timeout when companion_manager_stop_timeout is derived.",
};

/** Every setting with its default. */
const SETTINGS_ENTRIES = {
  app: v.optional(v.nullable(NonEmptyString), null),
  bind: v.optional(Bind, ["127.0.0.1:8000"]),
  workers: v.optional(Count(1), 1),
  timeout: v.optional(Seconds, 30),
  graceful_timeout: v.optional(Seconds, 30),
  max_requests: v.optional(Count(0), 0),
  max_requests_jitter: v.optional(Count(0), 0),
  preload_app: v.optional(v.boolean("expected true or false"), false),
  pidfile: v.optional(v.nullable(NonEmptyString), null),
  accesslog: v.optional(v.nullable(NonEmptyString), null),
  loglevel: v.optional(v.picklist(LOG_LEVELS, `expected one of ${LOG_LEVELS.join(", ")}`), "info"),
  env_file: v.optional(v.nullable(NonEmptyString), null),
  companion_workers: v.optional(v.array(CompanionSpecSchema, "expected a list of companion specs"), []),
  companion_config_file: v.optional(v.nullable(NonEmptyString), null),
  companion_control_socket: v.optional(v.nullable(NonEmptyString), null),
  companion_control_socket_mode: v.optional(SocketMode, 0o600),
  companion_control_idle_timeout: v.optional(Seconds, 60),
  companion_stop_signal: v.optional(Signal, "SIGTERM"),
  companion_stop_timeout: v.optional(Seconds, 60),
  companion_reload_timeout: v.optional(Seconds, 60),
  companion_startsecs: v.optional(Seconds, 1),
  companion_restart_delay: v.optional(Seconds, 5),
  companion_restart_delay_max: v.optional(v.nullable(Seconds), null),
  companion_restart_policy: v.optional(RestartPolicy, "always"),
  companion_start_retries: v.optional(StartRetries, null),
  companion_stdout: v.optional(StdoutTarget, "inherit"),
  companion_stderr: v.optional(StderrTarget, "inherit"),
  companion_cwd: v.optional(v.nullable(NonEmptyString), null),
  companion_env: v.optional(Env, {}),
  companion_env_file: v.optional(v.nullable(NonEmptyString), null),
  companion_manager_stop_timeout: v.optional(v.nullable(Seconds), null),
  companion_manager_shutdown_buffer: v.optional(Seconds, 10),
};

/** Documentation of every key of a companion spec, shown in `docs/settings.md` and schema.json. */
export const COMPANION_KEY_DOCS: Record<string, string> = {
  name: "Unique name: letters, digits, `_`, `.`, `@`, `-`.",
  target: "`module:export`: the function the companion process calls (a path relative to `cwd`, or a package). Exactly one of target and command.",
  command:
    'A program to run instead of a target: an argv list (`["sleep", "60"]`, no shell; the program is looked up on the PATH of the companion\'s env) or a string run by `/bin/sh -c`. `{instance}` becomes the member\'s index.',
  numprocs: `How many processes (1 to ${MAX_NUMPROCS}); more than 1 makes members \`NAME:0\` … \`NAME:N-1\`, each supervised on its own.`,
  cwd: "Working directory (default: companion_cwd, else the master's).",
  env: "Environment added to the inherited one, over companion_env and both env files; `{instance}` in a value becomes the member's index.",
  env_file: "An env file (a path relative to `cwd`) over companion_env_file and under companion_env and env; `{instance}` in a value becomes the member's index.",
  stop_signal: "Signal that asks it to stop (default: companion_stop_signal).",
  stop_timeout: "Seconds between the stop signal and SIGKILL (default: companion_stop_timeout).",
  reload_timeout: "Seconds to wait for the old process on restart (default: companion_reload_timeout).",
  startsecs: "Seconds it must stay up to count as RUNNING (default: companion_startsecs).",
  stdout: 'A file path (appended to) or "inherit" (default: companion_stdout).',
  stderr: 'A file path, "stdout" or "inherit" (default: companion_stderr).',
  restart_policy: '"always", "on-failure" or "never" (default: companion_restart_policy).',
  restart_delay: "Seconds in BACKOFF before it is started again (default: companion_restart_delay).",
  restart_delay_max: "Upper bound of a doubling restart delay (default: companion_restart_delay_max, else restart_delay: fixed).",
  start_retries: "Consecutive exits before startsecs after which it is FATAL (default: companion_start_retries; null: forever).",
};

/** The settings schema. A `looseObject`: unknown settings are reported as warnings by the loader. */
export const SettingsSchema = v.looseObject(SETTINGS_ENTRIES);

/** The names of every known setting. */
export const SETTING_NAMES: readonly string[] = Object.keys(SettingsSchema.entries);

/** A companion spec as written by the operator. */
export type CompanionSpecInput = v.InferInput<typeof CompanionSpecSchema>;
/** Settings as written by the operator (every key optional). */
export type SettingsInput = v.InferInput<v.ObjectSchema<typeof SETTINGS_ENTRIES, undefined>>;
/** Settings after validation, defaults filled in. */
export type ParsedSettings = v.InferOutput<v.ObjectSchema<typeof SETTINGS_ENTRIES, undefined>>;
