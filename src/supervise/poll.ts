/**
 * Waiting for something the kernel sends no event for (a process group that
 * is not our child emptying): look again every `intervalMs` on the clock,
 * only while someone waits.
 */
import type { Clock, TimerHandle } from "./clock.ts";

/** A wait in progress. */
export interface Poll {
  /** True once `done()` held; false when cancelled first. */
  readonly promise: Promise<boolean>;
  /** Stops looking; the promise resolves false. */
  cancel(): void;
}

/** Checks `done()` every `intervalMs` (the first time after one interval) until it holds or the wait is cancelled. */
export function pollUntil(clock: Clock, done: () => boolean, intervalMs: number): Poll {
  let timer: TimerHandle | null = null;
  let settle: (value: boolean) => void = () => {};
  const promise = new Promise<boolean>((resolve) => (settle = resolve));
  const check = () => {
    timer = null;
    if (done()) settle(true);
    else timer = clock.setTimer(check, intervalMs);
  };
  timer = clock.setTimer(check, intervalMs);
  return {
    promise,
    cancel() {
      if (timer !== null) clock.clearTimer(timer);
      timer = null;
      settle(false);
    },
  };
}
