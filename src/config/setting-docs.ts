/**
 * What every setting and companion key means, in words: the text of
 * docs/settings.md and the descriptions in schema.json (build/docs.ts).
 */
import { MAX_NUMPROCS } from "./instances.ts";

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
  companion_metrics_bind:
    "`host:port` where the companion manager serves Prometheus metrics at /metrics (docs/metrics.md); none when unset. Port 0 lets the kernel pick (the manager logs the address). Changes with the manager's restart (HUP), not on reread.",
  companion_log_prefix:
    'Inherited companion output reaches the master\'s stdout and stderr through the manager, each line prefixed with the companion\'s name (`worker:1 | line`, padded, coloured on a terminal unless NO_COLOR). false: the child gets the master\'s descriptors and its output passes through untouched (and `logs` has none of it).',
  companion_log_buffer: "Bytes of each companion stream (stdout, stderr) the manager keeps for `logs` (0 keeps none; followers still get new lines).",
  companion_lease_url:
    "Redis holding the leases of `singleton` companions: `redis://[:password@]host:port[/db]` or `rediss://` (TLS). Only loaded when set; a change needs a HUP (docs/multi-host.md).",
  companion_cluster: "Names the deployment whose masters share singleton leases: the key is `gunicorn-companion:{cluster}:{name}`.",
  companion_lease_ttl:
    "Seconds a singleton's lease lasts unless renewed (every ttl/3). A holder that cannot renew has its companion stopped, SIGKILL included, before the lease can expire.",
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
  stdout_max_bytes: "When the stdout file would grow past this many bytes it is rotated, between two lines (default 50 MiB; 0: never).",
  stdout_backups: "Rotated stdout files kept: `file.1` (newest) … `file.N` (default 10; 0: the file is truncated instead).",
  stderr_max_bytes: "As stdout_max_bytes, for the stderr file.",
  stderr_backups: "As stdout_backups, for the stderr file.",
  singleton:
    "Run on one master of the deployment at a time: the one holding its lease in companion_lease_url (required); STANDBY elsewhere. With numprocs, each member has its own lease.",
};
