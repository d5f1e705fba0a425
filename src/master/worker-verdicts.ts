/**
 * Pure: what the pool makes of its HTTP workers' exits and boots, as gunicorn
 * would. A
 * worker killed from outside while it booted (the OOM killer, an operator)
 * says nothing about the app: another takes its place at once. One that could
 * not load the app is tried again after a pause. Any other exit is replaced at
 * once; an exit before `ready` is a boot failure whoever waits for it sees.
 */
import { WORKER_BOOT_ERROR } from "../exit-codes.ts";
import { formatExit, type ExitStatus } from "../runtime/index.ts";
import type { ChildRecord } from "../supervise/machine.ts";

/** Seconds before a worker that failed to boot is tried again (after the first boot). */
export const REBOOT_DELAY_SECS = 1;

/** The exit as the pool saw it. */
export interface WorkerExit {
  id: number;
  pid: number;
  /** It had not reported ready yet. */
  booting: boolean;
  status: ExitStatus;
  /** What the worker (or the heartbeat check) said went wrong while it booted. */
  bootError: string | null;
}

/** The pool's verdict: a line to log, why it failed (for whoever waits for it), and when its replacement starts. */
export interface WorkerExitVerdict {
  log: { level: "warn" | "error"; message: string };
  reason: string | null;
  delayMs: number;
}

/** Judges one exit of a worker the pool did not ask to stop. */
export function judgeWorkerExit(exit: WorkerExit): WorkerExitVerdict {
  const { id, pid, status, bootError } = exit;
  const how = formatExit(status.exitCode, status.signal);
  if (!exit.booting) return { log: { level: "warn", message: `worker ${id} (pid ${pid}) ${how}; replacing it` }, reason: null, delayMs: 0 };
  if (status.signal !== null && bootError === null) {
    return { log: { level: "warn", message: `worker ${id} (pid ${pid}) was killed by ${status.signal} while booting; starting another` }, reason: null, delayMs: 0 };
  }
  const reason = bootError ?? `worker ${how} before it was ready`;
  if (status.exitCode === WORKER_BOOT_ERROR) {
    return {
      log: { level: "error", message: `worker ${id} failed to boot: ${bootError ?? "see its output"}; trying again in ${REBOOT_DELAY_SECS}s` },
      reason,
      delayMs: REBOOT_DELAY_SECS * 1000,
    };
  }
  return { log: { level: "warn", message: `worker ${id} (pid ${pid}) ${how}; replacing it` }, reason, delayMs: 0 };
}

/**
 * How the boot of some workers went: null once every one is ready (or was
 * stopped or removed on purpose: a TTOU during a boot is no failure); the
 * reason when one failed to boot; undefined while one is still on its way (a
 * worker killed from outside while booting is on its way again).
 */
export function judgeBoot(records: ReadonlyArray<ChildRecord | undefined>): string | null | undefined {
  let booting = false;
  for (const record of records) {
    if (record === undefined) continue;
    if (record.state === "BACKOFF" && record.lastError !== null) return record.lastError;
    if (record.state === "STARTING" || record.state === "BACKOFF") booting = true;
  }
  return booting ? undefined : null;
}
