/**
 * Time, injected: the manager asks a clock for the time and for timers, so
 * tests can drive it with a fake one instead of waiting.
 */

/** A pending timer, cancelled with `Clock.clearTimer`. */
export interface TimerHandle {
  readonly id: number;
}

/** The current time and one-shot timers. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** The longest delay setTimeout takes as given; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The system clock with setTimeout (delays past ~24.8 days are chained, not fired early). */
export function createSystemClock(): Clock {
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  const schedule = (id: number, callback: () => void, at: number) => {
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, at - Date.now()));
    pending.set(
      id,
      setTimeout(() => {
        if (Date.now() < at) return schedule(id, callback, at);
        pending.delete(id);
        callback();
      }, delay),
    );
  };
  return {
    now: () => Date.now(),
    setTimer(callback, delayMs) {
      const id = nextId++;
      if (delayMs === Number.POSITIVE_INFINITY) return { id };
      schedule(id, callback, Date.now() + Math.max(0, delayMs));
      return { id };
    },
    clearTimer(handle) {
      const timer = pending.get(handle.id);
      if (timer !== undefined) clearTimeout(timer);
      pending.delete(handle.id);
    },
  };
}

/** A clock that moves only when told to; for tests. */
export interface FakeClock extends Clock {
  /** Moves time forward, firing every timer that falls due, in order. */
  advance(ms: number): void;
  /** Timers not yet fired. */
  pendingCount(): number;
}

/** Creates a fake clock starting at `start` epoch ms. */
export function createFakeClock(start = 1_700_000_000_000): FakeClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimer(callback, delayMs) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, delayMs), callback });
      return { id };
    },
    clearTimer(handle) {
      timers.delete(handle.id);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (due === undefined || entry[1].at < due[1].at)) due = entry;
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pendingCount: () => timers.size,
  };
}
