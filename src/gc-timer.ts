/**
 * Bun wakes every process once a second for a GC timer (it reads
 * /proc/self/statm). The master and the manager run no user code and hold
 * little: they run with that timer off, so when idle they burn no CPU. Under
 * Bun the master re-executes itself once at start (execve: same pid, same
 * stdio) to get it; the manager inherits it. Companions and HTTP workers get
 * the environment the master was started with, without our setting.
 */
import { formatSelfArgv, type ProcessInfo, type ProcessLifetime } from "./runtime/index.ts";

/** Bun's switch for its periodic GC timer. */
export const GC_TIMER_ENV = "BUN_GC_TIMER_DISABLE";
/** Marks that the master, not the operator, set it. */
const SET_BY_US_ENV = "GUNICORN_COMPANION_GC_TIMER_OFF";

/** The manager's environment: the master's, with Bun's GC timer off. */
export function managerEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  if (env[GC_TIMER_ENV] !== undefined) return { ...env };
  return { ...env, [GC_TIMER_ENV]: "1", [SET_BY_US_ENV]: "1" };
}

/**
 * Under Bun, re-executes this master with the GC timer off, unless it is off
 * already (after that re-exec, or by the operator's own choice). Returns only
 * when it did nothing (another runtime, or execve failed).
 */
export function turnGcTimerOff(runtime: ProcessInfo & ProcessLifetime): void {
  if (runtime.name !== "bun" || runtime.execve === null) return;
  const env = runtime.env();
  if (env[GC_TIMER_ENV] !== undefined) return;
  try {
    runtime.execve(formatSelfArgv(runtime.snapshot(), runtime.args), managerEnv(env));
  } catch {
    // The master runs on with the timer on: 1 wake-up a second, nothing worse.
  }
}

/** The environment of user code (companions, HTTP workers): the master's, without what only the master and manager were meant to have. */
export function userEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const base = { ...env };
  if (base[SET_BY_US_ENV] !== undefined) {
    delete base[GC_TIMER_ENV];
    delete base[SET_BY_US_ENV];
  }
  return base;
}
