/**
 * Pure: the manager's metrics as Prometheus families — per companion its
 * state, restarts, exits, uptime, last exit code and its process group's
 * memory and CPU; the manager's own memory and CPU under the standard
 * process_* names. docs/metrics.md lists them.
 */
import { isSignalName, signalNumber } from "../runtime/index.ts";
import type { ChildState } from "../supervise/machine.ts";
import type { Usage } from "./proc-stat.ts";
import { labelPairs, type MetricFamily } from "./prometheus.ts";
import { restartCount } from "./status.ts";
import type { CompanionRecord } from "./supervisor.ts";

/** Every state, in the order docs/states.md gives them: each companion has one sample per state. */
export const METRIC_STATES: readonly ChildState[] = ["STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED", "FATAL"];

/** A last exit as one number: the exit code, or 128 + the signal's number (as shells report it). */
export function exitCodeValue(exit: { exitCode: number | null; signal: string | null }): number | null {
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.signal !== null && isSignalName(exit.signal)) return 128 + signalNumber(exit.signal);
  return null;
}

/** What one scrape reads: the records, their groups' usage (by leader pid) and the manager's own. */
export interface MetricsInput {
  records: readonly CompanionRecord[];
  groups: ReadonlyMap<number, Usage>;
  self: Usage | null;
  /** Epoch ms. */
  now: number;
}

/** The metric families of one scrape. */
export function metricFamilies(input: MetricsInput): MetricFamily[] {
  const family = (name: string, type: MetricFamily["type"], help: string): MetricFamily => ({ name, type, help, samples: [] });
  const state = family("companion_state", "gauge", "1 for the state the companion is in, 0 for the others.");
  const restarts = family("companion_restarts_total", "counter", "Processes started after the first one (the restart_count of status).");
  const exits = family("companion_exits_total", "counter", "Processes of the companion that exited.");
  const uptime = family("companion_uptime_seconds", "gauge", "Seconds since the current process was started; 0 without a process.");
  const lastExit = family("companion_last_exit_code", "gauge", "Exit code of the last process, or 128 + the signal number that ended it.");
  const rss = family("companion_resident_memory_bytes", "gauge", "Resident memory of the live processes in the companion's process group.");
  const cpu = family("companion_cpu_seconds_total", "counter", "User and system CPU of the processes in the companion's process group, and of the children they reaped.");
  const processes = family("companion_processes", "gauge", "Live processes in the companion's process group.");
  for (const record of input.records) {
    const pairs = labelPairs([
      ["companion", record.name],
      ["group", record.spec.group],
    ]);
    const labels = `{${pairs}}`;
    for (const name of METRIC_STATES) state.samples.push({ labels: `{${pairs},state="${name}"}`, value: record.state === name ? 1 : 0 });
    restarts.samples.push({ labels, value: restartCount(record) });
    exits.samples.push({ labels, value: record.exitCount });
    const running = record.pid !== null && record.spawnedAt !== null;
    uptime.samples.push({ labels, value: running ? Math.max(0, input.now - (record.spawnedAt ?? input.now)) / 1000 : 0 });
    const code = record.lastExit === null ? null : exitCodeValue(record.lastExit);
    if (code !== null) lastExit.samples.push({ labels, value: code });
    const usage = record.pid === null ? undefined : input.groups.get(record.pid);
    rss.samples.push({ labels, value: usage?.rssBytes ?? 0 });
    cpu.samples.push({ labels, value: usage?.cpuSeconds ?? 0 });
    processes.samples.push({ labels, value: usage?.processes ?? 0 });
  }
  const families = [state, restarts, exits, uptime, lastExit, rss, cpu, processes];
  if (input.self !== null) {
    const own = (name: string, type: MetricFamily["type"], help: string, value: number): MetricFamily => ({ name, type, help, samples: [{ labels: "", value }] });
    families.push(
      own("process_resident_memory_bytes", "gauge", "Resident memory size of the companion manager in bytes.", input.self.rssBytes),
      own("process_cpu_seconds_total", "counter", "User and system CPU time of the companion manager in seconds.", input.self.cpuSeconds),
    );
  }
  return families;
}
