/**
 * Garbage collection paced by work, not by a clock. The manager runs with
 * Bun's 1 Hz GC timer off so that an idle manager never wakes; but under a
 * crash storm (thousands of spawns) JavaScriptCore then lets garbage pile up
 * (the heap grew by 1 MiB every 10 s in a 50-companion storm). So while
 * companions come and go, the manager collects at most once per interval,
 * shortly after the work; when nothing happens, nothing is scheduled.
 */
import type { Clock, TimerHandle } from "../supervise/clock.ts";

/** The shortest time between two collections while companions churn. */
export const CHURN_GC_INTERVAL_MS = 1000;

/** Counts work and collects garbage after it. */
export interface ChurnCollector {
  /** A companion process started or exited. */
  churn(): void;
  /** Collections done so far (for tests). */
  readonly collections: number;
}

/** Creates a collector that calls `collect` at most once per `intervalMs`, only after churn. */
export function createChurnCollector(clock: Clock, collect: () => void, intervalMs = CHURN_GC_INTERVAL_MS): ChurnCollector {
  let pending: TimerHandle | null = null;
  let collections = 0;
  return {
    churn() {
      if (pending !== null) return;
      pending = clock.setTimer(() => {
        pending = null;
        collections += 1;
        collect();
      }, intervalMs);
    },
    get collections() {
      return collections;
    },
  };
}
