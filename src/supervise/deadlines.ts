/**
 * One-shot timers by key on an injected clock: setting a key again replaces
 * its timer, clearing a key that has none does nothing. The supervisor keeps
 * its startsecs and retry timers here, the worker pool its heartbeat
 * deadlines.
 */
import type { Clock, TimerHandle } from "./clock.ts";

/** Timers by key. */
export interface Deadlines<K> {
  /** Runs `callback` in `delayMs`, replacing any timer of `key`. */
  set(key: K, delayMs: number, callback: () => void): void;
  clear(key: K): void;
  has(key: K): boolean;
}

/** Creates an empty set of deadlines. */
export function createDeadlines<K>(clock: Pick<Clock, "setTimer" | "clearTimer">): Deadlines<K> {
  const timers = new Map<K, TimerHandle>();
  const clear = (key: K) => {
    const handle = timers.get(key);
    if (handle !== undefined) clock.clearTimer(handle);
    timers.delete(key);
  };
  return {
    set(key, delayMs, callback) {
      clear(key);
      timers.set(
        key,
        clock.setTimer(() => {
          timers.delete(key);
          callback();
        }, delayMs),
      );
    },
    clear,
    has: (key) => timers.has(key),
  };
}
