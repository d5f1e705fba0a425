/**
 * The typing helpers of configs: `defineConfig` and `defineCompanion` return
 * what they are given; checking happens when the master loads the file. The
 * types are written out here (not inferred from the schema) so that the public
 * API stands on its own; define.test.ts keeps them in step with schema.ts.
 */

/** When a companion that exited on its own is started again. */
export type RestartPolicyName = "always" | "on-failure" | "never";

/** What every companion spec may set besides its program. */
export interface CompanionOptions {
  /** Unique: letters, digits, `_`, `.`, `@`, `-`. */
  name: string;
  /** How many processes (1 … 1000): members `NAME:0` … `NAME:N-1`. */
  numprocs?: number;
  cwd?: string;
  /** Merged over `companion_env`; `{instance}` is replaced by the member's index. */
  env?: Record<string, string>;
  /** A dotenv file read under `env`. */
  env_file?: string;
  /** "SIGTERM" or "TERM". */
  stop_signal?: string;
  stop_timeout?: number;
  reload_timeout?: number;
  startsecs?: number;
  /** A file path (appended to) or "inherit". */
  stdout?: string;
  /** A file path, "stdout" or "inherit". */
  stderr?: string;
  restart_policy?: RestartPolicyName;
  restart_delay?: number;
  restart_delay_max?: number;
  /** Consecutive exits before startsecs after which it is FATAL; null: retry forever. */
  start_retries?: number | null;
  /** Rotate the stdout file past this size (default 50 MiB; 0: never). */
  stdout_max_bytes?: number;
  /** Rotated stdout files kept (default 10). */
  stdout_backups?: number;
  stderr_max_bytes?: number;
  stderr_backups?: number;
  /** Runs on one master of the deployment at a time, under a lease in companion_lease_url (docs/multi-host.md). */
  singleton?: boolean;
}

/** One entry of `companion_workers`: exactly one of `target` (`module:export`) and `command` (an argv, or a `/bin/sh -c` string). */
export type CompanionSpec = CompanionOptions & ({ target: string; command?: never } | { command: string | string[]; target?: never });

/** Every setting of a config file; all optional (docs/settings.md). */
export interface Config {
  app?: string | null;
  bind?: string | string[];
  workers?: number;
  timeout?: number;
  graceful_timeout?: number;
  max_requests?: number;
  max_requests_jitter?: number;
  preload_app?: boolean;
  pidfile?: string | null;
  accesslog?: string | null;
  loglevel?: "debug" | "info" | "warning" | "error" | "critical";
  env_file?: string | null;
  companion_workers?: CompanionSpec[];
  companion_config_file?: string | null;
  companion_control_socket?: string | null;
  /** 0o600, or an octal string such as "0600". */
  companion_control_socket_mode?: number | string;
  companion_control_idle_timeout?: number;
  companion_stop_signal?: string;
  companion_stop_timeout?: number;
  companion_reload_timeout?: number;
  companion_startsecs?: number;
  companion_restart_delay?: number;
  companion_restart_delay_max?: number | null;
  companion_restart_policy?: RestartPolicyName;
  companion_start_retries?: number | null;
  companion_stdout?: string;
  companion_stderr?: string;
  companion_cwd?: string | null;
  companion_env?: Record<string, string>;
  companion_env_file?: string | null;
  companion_manager_stop_timeout?: number | null;
  companion_manager_shutdown_buffer?: number;
  /** `host:port` of the Prometheus metrics endpoint (docs/metrics.md). */
  companion_metrics_bind?: string | null;
  /** Prefix inherited companion output with the name (default true); false passes it through untouched. */
  companion_log_prefix?: boolean;
  /** Bytes of each companion stream kept for `logs` (default 256 KiB). */
  companion_log_buffer?: number;
  /** `redis://…` or `rediss://…`: where singleton leases live. */
  companion_lease_url?: string | null;
  companion_cluster?: string;
  companion_lease_ttl?: number;
}

/** Types a config object (it returns it unchanged); checking happens when the master loads it. */
export function defineConfig(config: Config): Config {
  return config;
}

/** Types one companion spec. */
export function defineCompanion(spec: CompanionSpec): CompanionSpec {
  return spec;
}
