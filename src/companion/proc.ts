/**
 * Reading processes from Linux's /proc: start times (to tell a reused pid
 * apart) and the live members of a process group. Zombies do not count as
 * alive: an orphan whose new parent (PID 1 in many containers) does not reap
 * it stays a zombie, yet it is gone for every purpose of ours.
 */
import { listProcPids, readProcFile } from "../runtime/proc-read.ts";

/** The fields of a /proc/PID/stat text after the command name: [state, ppid, pgrp, …]. */
function fieldsOf(stat: string): string[] {
  // The command name (field 2) may hold spaces and parentheses; count from the last ')'.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function statFields(pid: number): string[] | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  return stat === null ? null : fieldsOf(stat);
}

/** The kernel's start time of a process (field 22 of /proc/PID/stat), or null when unknown. */
export function readProcessStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/**
 * Whether process group `pgid` is still the one whose leader started at
 * `startTime`: its leader runs with that very start time, or the leader is
 * gone (the kernel does not hand out a group id again while the group has
 * members, so what is left is still that group). No recorded start time, or
 * no /proc to read it from, is no proof: false. Read right before each signal.
 */
export function isSameGroup(pgid: number, startTime: string | null): boolean {
  if (startTime === null || !hasProcFs()) return false;
  const now = readProcessStartTime(pgid);
  return now === null || now === startTime;
}

/**
 * `isSameGroup` for a group whose leader was our child and is reaped: with
 * no start time recorded (the leader was gone before it could be read), the
 * group is ours only while no process holds the leader's pid.
 */
export function isOwnLeftoverGroup(pgid: number, startTime: string | null): boolean {
  return startTime === null ? readProcessStartTime(pgid) === null : isSameGroup(pgid, startTime);
}

let procFs: boolean | null = null;

/** Whether /proc can tell start times here (Linux; under Deno with --allow-ffi, see runtime/proc-read.ts). */
export function hasProcFs(): boolean {
  procFs ??= readProcFile("/proc/self/stat") !== null;
  return procFs;
}

/** True if the process exists and is not a zombie. Null when /proc cannot tell. */
export function isProcessLive(pid: number): boolean | null {
  if (!hasProcFs()) return null;
  const fields = statFields(pid);
  return fields !== null && fields[0] !== "Z" && fields[0] !== "X";
}

/** Pids of the live (non-zombie) members of process group `pgid`; null when /proc cannot tell. */
export function liveGroupMembers(pgid: number): number[] | null {
  const pids = listProcPids();
  if (pids === null) return null;
  return pids.filter((pid) => {
    const fields = statFields(pid);
    return fields !== null && fields[2] === String(pgid) && fields[0] !== "Z" && fields[0] !== "X";
  });
}
