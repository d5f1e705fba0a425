/**
 * Stops the companion process groups a dead manager left behind, as a
 * graceful stop would: the stop signal to the group, then SIGKILL once its
 * stop_timeout has passed. We are not their parent, so we cannot wait on
 * their exit; we probe the group with signal 0 on a short interval, which
 * happens only during this bounded clean-up.
 */
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/index.ts";
import type { PidEntry, PidRegistry } from "./pid-registry.ts";
import { liveGroupMembers, readProcessStartTime } from "./proc.ts";

const PROBE_INTERVAL_MS = 50;
/** How long to wait for the kernel after SIGKILL before giving up on a group. */
const AFTER_KILL_WAIT_MS = 2000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * True while any live process of the group exists (zombies waiting for PID 1
 * to reap them do not count). The signal-0 probe answers the common case (an
 * empty group) without reading /proc.
 */
export function groupAlive(runtime: Pick<Runtime, "kill">, pgid: number): boolean {
  try {
    if (!runtime.kill(-pgid, 0)) return false;
  } catch {
    // EPERM: a process we may not signal is in that group: not ours.
    return false;
  }
  const members = liveGroupMembers(pgid);
  return members === null || members.length > 0;
}

async function waitGone(runtime: Runtime, pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupAlive(runtime, pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(PROBE_INTERVAL_MS);
  }
  return true;
}

/** Whether the entry still names the same process (its pid not reused by a stranger). */
function stillOurs(entry: PidEntry): boolean {
  if (entry.start_time === null) return true;
  const now = readProcessStartTime(entry.pid);
  // The leader is gone but members may remain: a group id is never reused while members exist.
  return now === null || now === entry.start_time;
}

async function stopOne(runtime: Runtime, entry: PidEntry, log: Logger, killNow: boolean): Promise<void> {
  if (!stillOurs(entry) || !groupAlive(runtime, entry.pid)) return;
  if (!killNow) {
    log.info(`stopping leftover companion "${entry.name}" (process group ${entry.pid}) with ${entry.stop_signal}`);
    runtime.kill(-entry.pid, entry.stop_signal);
    if (await waitGone(runtime, entry.pid, entry.stop_timeout * 1000)) return;
  }
  log.warn(`sending SIGKILL to leftover companion "${entry.name}" (process group ${entry.pid})`);
  runtime.kill(-entry.pid, "SIGKILL");
  if (!(await waitGone(runtime, entry.pid, AFTER_KILL_WAIT_MS))) {
    log.error(`process group ${entry.pid} of companion "${entry.name}" survived SIGKILL`);
  }
}

/**
 * Stops every group in the registry (in parallel) and clears the registry.
 * `killNow`: skip the stop signal and send SIGKILL at once (the master's last
 * resort once the manager's own stop time is up).
 */
export async function stopOrphans(runtime: Runtime, registry: PidRegistry, log: Logger, killNow = false): Promise<number> {
  const entries = registry.list();
  await Promise.all(
    entries.map(async (entry) => {
      await stopOne(runtime, entry, log, killNow);
      registry.remove(entry.pid);
    }),
  );
  return entries.length;
}
