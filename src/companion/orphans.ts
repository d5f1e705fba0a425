/**
 * Stops the companion process groups a dead manager left behind, as a
 * graceful stop would: the stop signal to the group, then SIGKILL once its
 * stop_timeout has passed. We are not their parent, so we cannot wait on
 * their exit; we probe the group with signal 0 on a short interval, which
 * happens only during this bounded clean-up.
 */
import type { Logger } from "../log.ts";
import type { Processes, SignalName } from "../runtime/index.ts";
import { createSystemClock, type Clock } from "../supervise/clock.ts";
import { pollUntil } from "../supervise/poll.ts";
import { stopWithin } from "../supervise/stop-within.ts";
import type { PidEntry, PidRegistry } from "./pid-registry.ts";
import { isSameGroup, liveGroupMembers } from "./proc.ts";
import { stopMarked } from "./marked.ts";

const PROBE_INTERVAL_MS = 50;
/** How long to wait for the kernel after SIGKILL before giving up on a group. */
const AFTER_KILL_WAIT_MS = 2000;

/**
 * True while any live process of the group exists (zombies waiting for PID 1
 * to reap them do not count). The signal-0 probe answers the common case (an
 * empty group) without reading /proc.
 */
export function groupAlive(runtime: Pick<Processes, "kill">, pgid: number): boolean {
  try {
    if (!runtime.kill(-pgid, 0)) return false;
  } catch {
    // EPERM: a process we may not signal is in that group: not ours.
    return false;
  }
  const members = liveGroupMembers(pgid);
  return members === null || members.length > 0;
}

/**
 * Sends `signal` to the entry's group only if it is provably still the group
 * the entry recorded (start time read right before the signal, see
 * `isSameGroup`); false when it was not sent.
 */
function signalIfOurs(runtime: Pick<Processes, "kill" | "openPidfd">, entry: PidEntry, signal: SignalName | "SIGKILL"): boolean {
  // Opened before the start time is read: once that matches, the pidfd names our leader whatever becomes of its pid.
  const pidfd = runtime.openPidfd?.(entry.pid) ?? null;
  try {
    if (!isSameGroup(entry.pid, entry.start_time)) return false;
    if (pidfd?.signalGroup(signal)) return true;
    // No pidfd here (Node, an older kernel), or the leader is gone and members remain: the group id is still theirs.
    return runtime.kill(-entry.pid, signal);
  } catch {
    return false;
  } finally {
    pidfd?.close();
  }
}

async function stopOne(runtime: Pick<Processes, "kill" | "openPidfd">, clock: Clock, entry: PidEntry, log: Logger, killNow: boolean): Promise<void> {
  if (!isSameGroup(entry.pid, entry.start_time)) {
    // No start time (an entry cut short, a host without /proc) or another process now: never signalled.
    if (groupAlive(runtime, entry.pid)) log.warn(`not stopping process group ${entry.pid} of "${entry.name}": no proof that it is still that companion (pid reused?)`);
    return;
  }
  if (!groupAlive(runtime, entry.pid)) return;
  const pgid = entry.pid;
  let lost = false;
  const empty = pollUntil(clock, () => !groupAlive(runtime, pgid), PROBE_INTERVAL_MS);
  if (!killNow) log.info(`stopping leftover companion "${entry.name}" (process group ${pgid}) with ${entry.stop_signal}`);
  const stopping = stopWithin({
    clock,
    signal: () => (killNow ? undefined : signalIfOurs(runtime, entry, entry.stop_signal)),
    kill() {
      if (!isSameGroup(pgid, entry.start_time)) {
        // Gone between two looks, and its pid taken by another process: nothing of ours is left to kill.
        lost = true;
        empty.cancel();
        return;
      }
      log.warn(`sending SIGKILL to leftover companion "${entry.name}" (process group ${pgid})`);
      signalIfOurs(runtime, entry, "SIGKILL");
      // The kernel gets a moment to take the group down; then we stop looking.
      clock.setTimer(() => empty.cancel(), AFTER_KILL_WAIT_MS);
    },
    gone: empty.promise,
    timeoutMs: killNow ? 0 : entry.stop_timeout * 1000,
  });
  await stopping.done;
  if (!(await empty.promise) && !lost) log.error(`process group ${pgid} of companion "${entry.name}" survived SIGKILL`);
}

/**
 * Stops every group in the registry (in parallel) and clears the registry;
 * with `stateDir`, then every process marked with it (marked.ts).
 * `killNow`: skip the stop signal and send SIGKILL at once (the master's last
 * resort once the manager's own stop time is up).
 */
export async function stopOrphans(
  runtime: Pick<Processes, "kill" | "openPidfd">,
  registry: PidRegistry,
  log: Logger,
  killNow = false,
  clock: Clock = createSystemClock(),
  stateDir: string | null = null,
): Promise<number> {
  const entries = registry.list();
  await Promise.all(
    entries.map(async (entry) => {
      await stopOne(runtime, clock, entry, log, killNow);
      registry.remove(entry.pid);
    }),
  );
  // What no record names (spawned just before its manager died) carries the state directory in its environment.
  const unrecorded = stateDir === null ? 0 : await stopMarked(runtime, clock, stateDir, log, killNow);
  return entries.length + unrecorded;
}
