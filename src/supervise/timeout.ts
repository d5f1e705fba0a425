/**
 * The one timeout helper: a promise raced against a timer on an injected
 * clock, the timer cleared whichever settles first.
 */
import type { Clock } from "./clock.ts";

/**
 * Settles like `work`, unless `timeoutMs` pass first on `clock`: then like
 * `onTimeout()` (return a value, or throw to reject).
 *
 * @example await withTimeout(child.exited, 5000, clock, () => "timed out")
 */
export function withTimeout<T, U>(work: Promise<T>, timeoutMs: number, clock: Pick<Clock, "setTimer" | "clearTimer">, onTimeout: () => U): Promise<T | U> {
  return new Promise<T | U>((resolve, reject) => {
    const timer = clock.setTimer(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, timeoutMs);
    work.then(
      (value) => {
        clock.clearTimer(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimer(timer);
        reject(error);
      },
    );
  });
}
