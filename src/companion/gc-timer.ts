/**
 * Bun wakes every process once a second for a GC timer (it reads
 * /proc/self/statm). The manager runs no user code and holds little: the
 * master starts it with that timer off, so an idle manager burns no CPU. The
 * companions get the environment the master had, without our setting.
 */

/** Bun's switch for its periodic GC timer. */
export const GC_TIMER_ENV = "BUN_GC_TIMER_DISABLE";
/** Marks that the master, not the operator, set it. */
const SET_BY_US_ENV = "GUNICORN_COMPANION_GC_TIMER_OFF";

/** The manager's environment: the master's, with Bun's GC timer off. */
export function managerEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  if (env[GC_TIMER_ENV] !== undefined) return { ...env };
  return { ...env, [GC_TIMER_ENV]: "1", [SET_BY_US_ENV]: "1" };
}

/** The companions' environment: the manager's, without what only the manager was meant to have. */
export function companionBaseEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  const base = { ...env };
  if (base[SET_BY_US_ENV] !== undefined) {
    delete base[GC_TIMER_ENV];
    delete base[SET_BY_US_ENV];
  }
  return base;
}
