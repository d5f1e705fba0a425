/**
 * Every exit status this program gives itself or reads from its children, in
 * one place (docs/behaviour.md lists them for operators).
 */

/** A command that did what it was asked. */
export const EXIT_OK = 0;

/** A command that failed, or a control reply with `"ok": false`. */
export const EXIT_FAILURE = 1;

/** A usage error, or a control socket that cannot be reached. */
export const EXIT_USAGE = 2;

/** `status` (ctl) when a companion listed is not RUNNING (supervisorctl's convention). */
export const EXIT_NOT_RUNNING = 3;

/** A worker that could not boot (gunicorn's WORKER_BOOT_ERROR); the master exits with it too. */
export const WORKER_BOOT_ERROR = 3;

/** A companion process whose target could not be loaded (sysexits' EX_CONFIG). */
export const TARGET_LOAD_FAILED_EXIT_CODE = 78;

/** A manager that cannot start at all (socket in use, unusable state): not worth restarting at boot. */
export const MANAGER_FATAL_EXIT_CODE = 78;

/** What a command gives main.ts: the status to exit with, or "keep-running" (a companion that lives on its event loop). */
export type CommandOutcome = number | "keep-running";
