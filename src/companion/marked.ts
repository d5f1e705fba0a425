/**
 * Companions unrecorded: a manager killed between spawning a companion and
 * writing its pid record leaves a process no record names. Every companion
 * is started with `STATE_MARKER=<its state directory>` in its environment
 * (inherited by what it starts), so whoever cleans up after that manager
 * finds such processes in /proc/PID/environ, read again right before each
 * signal as proof (docs/security.md, "State directory"). Where /proc cannot
 * be listed (not Linux; Deno without --allow-ffi) there is no such scan.
 */
import process from "node:process";
import type { Logger } from "../log.ts";
import type { Processes } from "../runtime/index.ts";
import { listProcPids, readProcFile } from "../runtime/proc-read.ts";
import type { Clock } from "../supervise/clock.ts";
import { pollUntil } from "../supervise/poll.ts";

/** The environment variable that ties a companion to its state directory. */
export const STATE_MARKER = "GUNICORN_COMPANION_STATE_DIR";
/** Seconds an unrecorded process gets between SIGTERM and SIGKILL (its own stop settings are unknown). */
const UNRECORDED_STOP_SECS = 5;

function hasMarker(pid: number, entry: string): boolean {
  const environ = readProcFile(`/proc/${pid}/environ`);
  return environ !== null && `\0${environ}`.includes(`\0${entry}\0`);
}

/** Pids of live processes (other than us) whose environment has `STATE_MARKER=stateDir`. */
export function markedProcesses(stateDir: string): number[] {
  const entry = `${STATE_MARKER}=${stateDir}`;
  return (listProcPids() ?? []).filter((pid) => pid !== process.pid && hasMarker(pid, entry));
}

/** Stops the marked processes: SIGTERM (SIGKILL at once when `killNow`), SIGKILL after a few seconds; each marker re-read right before its signal. */
export async function stopMarked(runtime: Pick<Processes, "kill">, clock: Clock, stateDir: string, log: Logger, killNow: boolean): Promise<number> {
  const entry = `${STATE_MARKER}=${stateDir}`;
  // The marker is read right before each signal: a pid recycled meanwhile is left alone.
  const signalAll = (signal: "SIGTERM" | "SIGKILL") => {
    for (const pid of listProcPids() ?? []) {
      try {
        if (pid !== process.pid && hasMarker(pid, entry)) runtime.kill(pid, signal);
      } catch {
        // gone
      }
    }
  };
  const found = markedProcesses(stateDir);
  if (found.length === 0) return 0;
  log.warn(`stopping ${found.length} unrecorded process(es) of companions (pids ${found.join(", ")})`);
  signalAll(killNow ? "SIGKILL" : "SIGTERM");
  const gone = pollUntil(clock, () => markedProcesses(stateDir).length === 0, 50);
  const timer = clock.setTimer(() => {
    signalAll("SIGKILL");
    clock.setTimer(() => gone.cancel(), 2000);
  }, killNow ? 0 : UNRECORDED_STOP_SECS * 1000);
  await gone.promise;
  clock.clearTimer(timer);
  return found.length;
}
