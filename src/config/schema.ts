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

/** A size in bytes (0 or more), and how many rotated log files to keep. */
const Bytes = v.pipe(v.number("expected a whole number of bytes"), v.integer("expected a whole number of bytes"), v.minValue(0, "must not be negative"));
const Backups = v.pipe(v.number("expected a whole number"), v.integer("expected a whole number"), v.minValue(0, "must not be negative"), v.maxValue(1000, "must be at most 1000"));

/** Defaults of a companion log file's rotation: past 50 MiB, 10 backups kept. */
export const DEFAULT_LOG_MAX_BYTES = 50 * 1024 * 1024;
export const DEFAULT_LOG_BACKUPS = 10;

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
    // Log files (docs/logging.md).
    stdout_max_bytes: v.optional(Bytes),
    stdout_backups: v.optional(Backups),
    stderr_max_bytes: v.optional(Bytes),
    stderr_backups: v.optional(Backups),
    singleton: v.optional(v.boolean("expected true or false")),
  },
  "unknown key",
);

/** Where singleton leases live: `redis://[:password@]host:port[/db]` or `rediss://…` (TLS). */
const LeaseUrl = v.pipe(NonEmptyString, v.regex(/^rediss?:\/\/[^\s]+$/, 'expected a URL such as "redis://host:6379/0" (or "rediss://" for TLS)'));

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

const MetricsBind = v.pipe(
  NonEmptyString,
  v.check((address) => isBind(address) && parseBind(address).kind === "tcp", 'expected "host:port" or "[::1]:port"'),
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
  "companion_metrics_bind",
  "companion_log_prefix",
  "companion_log_buffer",
  "companion_lease_url",
  "companion_cluster",
  "companion_lease_ttl",
] as const;

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
  companion_metrics_bind: v.optional(v.nullable(MetricsBind), null),
  companion_log_prefix: v.optional(v.boolean("expected true or false"), true),
  companion_log_buffer: v.optional(Bytes, 256 * 1024),
  companion_lease_url: v.optional(v.nullable(LeaseUrl), null),
  companion_cluster: v.optional(v.pipe(NonEmptyString, v.regex(/^[^\s]+$/, "must not contain spaces")), "default"),
  companion_lease_ttl: v.optional(v.pipe(Seconds, v.minValue(0.1, "must be at least 0.1 seconds")), 10),
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
