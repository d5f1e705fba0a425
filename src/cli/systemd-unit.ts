/**
 * Pure: the systemd unit `systemd-unit` prints for a config. The master is
 * the service's main process and stops its own tree: on TERM it stops the
 * HTTP workers (graceful_timeout) and the manager (companion_manager_stop_timeout,
 * the companions in their own process groups) at once, so the unit waits for
 * the slower of the two plus a margin before systemd SIGKILLs what is left.
 */

/** Seconds added to the slower of graceful_timeout and companion_manager_stop_timeout. */
export const STOP_MARGIN_SECS = 15;

/** What the unit is made of. */
export interface UnitOptions {
  /** The argv of the master: the absolute program (binary, or runtime + entry) and `master -c FILE`. */
  execStart: readonly string[];
  /** The absolute config file. */
  configFile: string;
  /** Where the master resolves relative paths: the directory the unit was generated in. */
  workingDirectory: string;
  /** The user to run as, or null (root, or the user of a user unit). */
  user: string | null;
  gracefulTimeout: number;
  managerStopTimeout: number;
  /** `gunicorn-companion 0.1.0`, for the header. */
  version: string;
}

/** One argument of an Exec line, quoted for systemd (`$` and `%` escaped). */
export function quoteSystemdArg(arg: string): string {
  const escaped = arg.replaceAll("%", () => "%%").replaceAll("$", () => "$$");
  if (/^[A-Za-z0-9_@%$+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** TimeoutStopSec: the slower of the two stops, rounded up, plus the margin. */
export function stopTimeoutSecs(gracefulTimeout: number, managerStopTimeout: number): number {
  return Math.ceil(Math.max(gracefulTimeout, managerStopTimeout)) + STOP_MARGIN_SECS;
}

/** The unit file's text. */
export function renderSystemdUnit(options: UnitOptions): string {
  const stop = stopTimeoutSecs(options.gracefulTimeout, options.managerStopTimeout);
  const lines = [
    `# Made by ${options.version}: systemd-unit -c ${options.configFile}`,
    "# Save as /etc/systemd/system/NAME.service, then: systemctl daemon-reload && systemctl enable --now NAME",
    "[Unit]",
    `Description=gunicorn-companion ${options.configFile}`,
    "After=network.target",
    "",
    "[Service]",
    "Type=simple",
    ...(options.user === null ? [] : [`User=${options.user}`]),
    `WorkingDirectory=${quoteSystemdArg(options.workingDirectory)}`,
    `ExecStart=${options.execStart.map(quoteSystemdArg).join(" ")}`,
    // HUP: new workers, then the old ones stop; the manager restarts only if its config changed.
    "ExecReload=/bin/kill -HUP $MAINPID",
    "KillSignal=SIGTERM",
    "# mixed: TERM to the master only, which stops its tree itself (companions run in",
    "# process groups of their own); SIGKILL to whatever is left after TimeoutStopSec.",
    "KillMode=mixed",
    `# max(graceful_timeout ${options.gracefulTimeout}, companion_manager_stop_timeout ${options.managerStopTimeout}) + ${STOP_MARGIN_SECS}`,
    `TimeoutStopSec=${stop}`,
    "Restart=on-failure",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
  ];
  return `${lines.join("\n")}\n`;
}
