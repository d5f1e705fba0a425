/** Reading a process's CPU time and memory from Linux /proc, for the benchmarks. */
import { readFileSync } from "node:fs";

const fields = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
};

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const f = fields(pid);
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident set size, MiB. */
export function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Proportional set size (shared pages divided among their users), MiB. */
export function pssMiB(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const state = fields(pid)[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}
