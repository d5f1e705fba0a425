/** The first delay before a manager that died is started again. */
export const MANAGER_BACKOFF_INITIAL_SECS = 1;
/** The longest delay between manager restarts. */
export const MANAGER_BACKOFF_MAX_SECS = 30;
/** A manager that stayed up this long resets the backoff to its first step. */
export const MANAGER_STABLE_SECS = 10;

/**
 * The delay before restarting a manager that died: 1 s, then doubling up to
 * 30 s while it keeps dying young, back to 1 s once one stayed up.
 *
 * @example nextManagerBackoff(null, 0) // 1
 * @example nextManagerBackoff(4, 2)    // 8
 * @example nextManagerBackoff(30, 60)  // 1
 */
export function nextManagerBackoff(previousSecs: number | null, uptimeSecs: number): number {
  if (previousSecs === null || uptimeSecs >= MANAGER_STABLE_SECS) return MANAGER_BACKOFF_INITIAL_SECS;
  return Math.min(previousSecs * 2, MANAGER_BACKOFF_MAX_SECS);
}
