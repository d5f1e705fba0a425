/**
 * Pure: turns validated settings into what the roles run with. Companion
 * specs get every left-out key from the matching global `companion_*`
 * setting, every path becomes absolute, and a spec with `numprocs: N`
 * becomes its N members (instances.ts).
 */
import { isAbsolute, resolve } from "node:path";
import type { SignalName } from "../runtime/types.ts";
import { commandFor, envFor, memberNames } from "./instances.ts";
import { DEFAULT_LOG_BACKUPS, DEFAULT_LOG_MAX_BYTES, type ParsedSettings, type RESTART_POLICIES } from "./schema.ts";

/**
 * One member of a companion with every option filled in; the fields its
 * config hash covers (all but `numprocs`). A companion with `numprocs: N`
 * resolves to N of these.
 */
export interface ResolvedCompanion {
  /** The member name: `group` itself when numprocs is 1, else `group:instance`. */
  name: string;
  /** The configured name, shared by every member. */
  group: string;
  /** 0 … numprocs-1. */
  instance: number;
  numprocs: number;
  /** `module:export` as written (a relative module resolves against `cwd`), or null for a command companion. */
  target: string | null;
  /** An argv (no shell) or a `/bin/sh -c` string, `{instance}` replaced; null for a target companion. */
  command: string | readonly string[] | null;
  /** Absolute working directory. */
  cwd: string;
  /**
   * Extra environment, each layer over the one before: companion_env_file, the
   * companion's env_file, companion_env, its env; `{instance}` replaced.
   */
  env: Record<string, string>;
  stop_signal: SignalName;
  stop_timeout: number;
  reload_timeout: number;
  startsecs: number;
  /** "inherit" or an absolute file path. */
  stdout: string;
  /** "inherit", "stdout" or an absolute file path. */
  stderr: string;
  /** When it is started again after exiting on its own (not in the config hash: applied in place). */
  restart_policy: (typeof RESTART_POLICIES)[number];
  /** Seconds in BACKOFF (not hashed). */
  restart_delay: number;
  /** Upper bound of a doubling delay; equal to restart_delay for a fixed one (not hashed). */
  restart_delay_max: number;
  /** Consecutive failed starts before FATAL; null: forever (not hashed). */
  start_retries: number | null;
  /** Rotation of the log files: size past which a file rotates (0: never), and backups kept. */
  stdout_max_bytes: number;
  stdout_backups: number;
  stderr_max_bytes: number;
  stderr_backups: number;
  /** Runs only where its lease is held (docs/multi-host.md). */
  singleton: boolean;
}

/** Where singleton leases live; null when no companion_lease_url is set. */
export interface LeaseConfig {
  url: string;
  cluster: string;
  /** Seconds. */
  ttl: number;
}

/** Everything the companion manager runs with. */
export interface CompanionConfig {
  companions: ResolvedCompanion[];
  control_socket: string | null;
  control_socket_mode: number;
  control_idle_timeout: number;
  restart_delay: number;
  /** `host:port` of the metrics endpoint, or null (applied when the manager starts). */
  metrics_bind: string | null;
  /** Prefix inherited output with the member's name (false: the child gets the fds). */
  log_prefix: boolean;
  /** Bytes kept per member and stream for `logs`. */
  log_buffer: number;
  lease: LeaseConfig | null;
}

/** All settings after validation and resolution. */
export interface Settings extends Omit<ParsedSettings, "companion_workers" | "companion_manager_stop_timeout"> {
  companion_workers: ResolvedCompanion[];
  /** The variables of `env_file` (empty when unset): the master sets them in its own environment at start. */
  master_env: Record<string, string>;
  /** Seconds the master waits for the manager on shutdown (derived when not set). */
  companion_manager_stop_timeout: number;
}

function absolute(base: string, path: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

function outputTarget(cwd: string, target: string): string {
  return target === "inherit" || target === "stdout" ? target : absolute(cwd, target);
}

/** A companion's restart settings, each from the spec or else its `companion_*` default. */
function restartSettings(
  spec: ParsedSettings["companion_workers"][number],
  parsed: ParsedSettings,
): Pick<ResolvedCompanion, "restart_policy" | "restart_delay" | "restart_delay_max" | "start_retries"> {
  const delay = spec.restart_delay ?? parsed.companion_restart_delay;
  // A max below the delay would shrink it: the delay is the floor.
  const max = Math.max(delay, spec.restart_delay_max ?? parsed.companion_restart_delay_max ?? delay);
  const retries = spec.start_retries === undefined ? parsed.companion_start_retries : spec.start_retries;
  return { restart_policy: spec.restart_policy ?? parsed.companion_restart_policy, restart_delay: delay, restart_delay_max: max, start_retries: retries };
}

/**
 * Reads an env file (an absolute path) named by `setting`; throws a
 * ConfigError naming the setting and the file when it cannot.
 */
export type EnvFileReader = (path: string, setting: string) => Record<string, string>;

const noEnvFiles: EnvFileReader = (path) => {
  throw new Error(`no env file reader given for ${path}`);
};

/** Resolves parsed settings against the master's working directory; env files are read through `readEnvFile`. */
export function resolveSettings(parsed: ParsedSettings, masterCwd: string, readEnvFile: EnvFileReader = noEnvFiles): Settings {
  const envFile = (base: string, path: string | null | undefined, setting: string) =>
    path === null || path === undefined ? {} : readEnvFile(absolute(base, path), setting);
  const sharedFileEnv = envFile(masterCwd, parsed.companion_env_file, "companion_env_file");
  const companions: ResolvedCompanion[] = parsed.companion_workers.flatMap((spec, index) => {
    const cwd = absolute(masterCwd, spec.cwd ?? parsed.companion_cwd ?? ".");
    const numprocs = spec.numprocs ?? 1;
    const env = { ...sharedFileEnv, ...envFile(cwd, spec.env_file, `companion_workers[${index}].env_file`), ...parsed.companion_env, ...spec.env };
    return memberNames(spec.name, numprocs).map((name, instance) => ({
      name,
      group: spec.name,
      instance,
      numprocs,
      target: spec.target ?? null,
      command: spec.command === undefined ? null : commandFor(spec.command, instance),
      cwd,
      env: envFor(env, instance),
      stop_signal: spec.stop_signal ?? parsed.companion_stop_signal,
      stop_timeout: spec.stop_timeout ?? parsed.companion_stop_timeout,
      reload_timeout: spec.reload_timeout ?? parsed.companion_reload_timeout,
      startsecs: spec.startsecs ?? parsed.companion_startsecs,
      stdout: outputTarget(cwd, spec.stdout ?? parsed.companion_stdout),
      stderr: outputTarget(cwd, spec.stderr ?? parsed.companion_stderr),
      ...restartSettings(spec, parsed),
      stdout_max_bytes: spec.stdout_max_bytes ?? DEFAULT_LOG_MAX_BYTES,
      stdout_backups: spec.stdout_backups ?? DEFAULT_LOG_BACKUPS,
      stderr_max_bytes: spec.stderr_max_bytes ?? DEFAULT_LOG_MAX_BYTES,
      stderr_backups: spec.stderr_backups ?? DEFAULT_LOG_BACKUPS,
      singleton: spec.singleton ?? false,
    }));
  });
  const slowestStop = Math.max(0, ...companions.map((c) => c.stop_timeout));
  const optionalPath = (path: string | null) => (path === null ? null : absolute(masterCwd, path));
  return {
    ...parsed,
    companion_workers: companions,
    master_env: envFile(masterCwd, parsed.env_file, "env_file"),
    companion_manager_stop_timeout: parsed.companion_manager_stop_timeout ?? slowestStop + parsed.companion_manager_shutdown_buffer,
    companion_config_file: optionalPath(parsed.companion_config_file),
    companion_control_socket: optionalPath(parsed.companion_control_socket),
    companion_cwd: optionalPath(parsed.companion_cwd),
    env_file: optionalPath(parsed.env_file),
    companion_env_file: optionalPath(parsed.companion_env_file),
    pidfile: optionalPath(parsed.pidfile),
    accesslog: parsed.accesslog === "-" ? "-" : optionalPath(parsed.accesslog),
  };
}

/** The part of the settings the companion manager runs with. */
export function companionConfigOf(settings: Settings): CompanionConfig {
  return {
    companions: settings.companion_workers,
    control_socket: settings.companion_control_socket,
    control_socket_mode: settings.companion_control_socket_mode,
    control_idle_timeout: settings.companion_control_idle_timeout,
    restart_delay: settings.companion_restart_delay,
    metrics_bind: settings.companion_metrics_bind,
    log_prefix: settings.companion_log_prefix,
    log_buffer: settings.companion_log_buffer,
    lease: settings.companion_lease_url === null ? null : { url: settings.companion_lease_url, cluster: settings.companion_cluster, ttl: settings.companion_lease_ttl },
  };
}
