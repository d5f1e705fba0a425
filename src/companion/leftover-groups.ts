/**
 * What a companion leaves behind. When the leader of a companion's process
 * group exits, what it started may still be in the group; those get the stop
 * signal and, after stop_timeout, SIGKILL (as systemd's control-group kill mode
 * does), so a crash never leaves an orphan running unsupervised. Members that
 * got the same signal as the leader are usually gone a moment later, so the
 * group is looked at again after GROUP_CHECK_MS before anything is sent.
 */
import type { SignalName } from "../runtime/index.ts";
import type { Clock } from "../supervise/clock.ts";
import { pollUntil } from "../supervise/poll.ts";
import { stopWithin, type Stopping } from "../supervise/stop-within.ts";

/** How often a group that outlived its companion is looked at until it is empty. */
export const GROUP_CHECK_MS = 100;

/** What the watcher needs: time, a liveness probe and a way to signal a group. */
export interface LeftoverDeps {
  clock: Clock;
  /** Whether the group still has live members (zombies do not count). */
  groupAlive(pgid: number): boolean;
  /** Sends `signal` to the group; `name` is the companion's, for its log. */
  signalGroup(name: string, pgid: number, signal: SignalName | "SIGKILL"): void;
  warn(name: string, message: string): void;
  /** The group is empty (or was from the start). */
  onEmpty(pgid: number): void;
}

/** The groups being watched. */
export interface LeftoverGroups {
  /** The leader of group `pgid` (companion `name`) exited: see to what is left. */
  watch(name: string, pgid: number, stopSignal: SignalName, stopTimeoutSecs: number): void;
  /** A quick shutdown: SIGKILL within `ms` for every group being watched. */
  hurry(ms: number): void;
  /** Groups not yet empty. */
  readonly size: number;
}

/** Creates the watcher; it costs nothing while no group is left over. */
export function createLeftoverGroups(deps: LeftoverDeps): LeftoverGroups {
  const { clock } = deps;
  // Per group: the stop under way once signalled, and how soon SIGKILL is due at the latest.
  const watched = new Map<number, { stopping: Stopping | null; killBy: number }>();

  return {
    watch(name, pgid, stopSignal, stopTimeoutSecs) {
      if (!deps.groupAlive(pgid)) {
        deps.onEmpty(pgid);
        return;
      }
      const entry: { stopping: Stopping | null; killBy: number } = { stopping: null, killBy: Number.POSITIVE_INFINITY };
      watched.set(pgid, entry);
      const empty = pollUntil(clock, () => !deps.groupAlive(pgid), GROUP_CHECK_MS);
      clock.setTimer(() => {
        if (!deps.groupAlive(pgid)) return;
        const timeoutMs = Math.min(stopTimeoutSecs * 1000, entry.killBy - clock.now());
        entry.stopping = stopWithin({
          clock,
          signal() {
            deps.warn(name, `processes of group ${pgid} outlived the companion: sending ${stopSignal}, SIGKILL after ${stopTimeoutSecs}s`);
            deps.signalGroup(name, pgid, stopSignal);
          },
          kill: () => deps.signalGroup(name, pgid, "SIGKILL"),
          gone: empty.promise,
          timeoutMs: Math.max(0, timeoutMs),
        });
      }, GROUP_CHECK_MS);
      void empty.promise.then(() => {
        watched.delete(pgid);
        deps.onEmpty(pgid);
      });
    },
    hurry(ms) {
      for (const entry of watched.values()) {
        entry.killBy = Math.min(entry.killBy, clock.now() + ms);
        entry.stopping?.hurry(ms);
      }
    },
    get size() {
      return watched.size;
    },
  };
}
