/**
 * What a companion leaves behind. When the leader of a companion's process
 * group exits, what it started may still be in the group; those get the stop
 * signal and, after stop_timeout, SIGKILL (as systemd's control-group kill mode
 * does), so a crash never leaves an orphan running unsupervised. Members that
 * got the same signal as the leader are usually gone a moment later, so the
 * group is looked at again after GROUP_CHECK_MS before anything is sent.
 */
import type { Clock } from "../supervise/clock.ts";
import type { SignalName } from "../runtime/index.ts";

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
  const watched = new Map<number, { deadline: number; signalled: boolean }>();

  function check(name: string, pgid: number, stopSignal: SignalName, stopTimeoutSecs: number): void {
    const entry = watched.get(pgid);
    if (entry === undefined) return;
    if (!deps.groupAlive(pgid)) {
      watched.delete(pgid);
      deps.onEmpty(pgid);
      return;
    }
    if (!entry.signalled) {
      deps.warn(name, `processes of group ${pgid} outlived the companion: sending ${stopSignal}, SIGKILL after ${stopTimeoutSecs}s`);
      deps.signalGroup(name, pgid, stopSignal);
      entry.signalled = true;
      entry.deadline = Math.min(entry.deadline, clock.now() + stopTimeoutSecs * 1000);
    } else if (clock.now() >= entry.deadline) {
      deps.signalGroup(name, pgid, "SIGKILL");
    }
    const wait = Math.min(GROUP_CHECK_MS, Math.max(0, entry.deadline - clock.now()));
    clock.setTimer(() => check(name, pgid, stopSignal, stopTimeoutSecs), wait);
  }

  return {
    watch(name, pgid, stopSignal, stopTimeoutSecs) {
      if (!deps.groupAlive(pgid)) {
        deps.onEmpty(pgid);
        return;
      }
      watched.set(pgid, { deadline: Number.POSITIVE_INFINITY, signalled: false });
      clock.setTimer(() => check(name, pgid, stopSignal, stopTimeoutSecs), GROUP_CHECK_MS);
    },
    hurry(ms) {
      for (const entry of watched.values()) entry.deadline = Math.min(entry.deadline, clock.now() + ms);
    },
    get size() {
      return watched.size;
    },
  };
}
