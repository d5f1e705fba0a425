import { expect, test } from "bun:test";
import { exitCodeValue, metricFamilies, METRIC_STATES } from "./metrics.ts";
import { formatExposition } from "./prometheus.ts";
import { after, T0 } from "./supervisor.fixtures.ts";

const running = after([{ type: "start" }, { type: "spawned", pid: 1234 }, { type: "startsecs-elapsed" }]);
const killedOnce = after([{ type: "exited", exitCode: null, signal: "SIGKILL" }, { type: "retry-due" }, { type: "spawned", pid: 1300 }], running);
const never = after([]);

/** Samples of one family as `label values -> value` (without the companion's group). */
function samples(name: string, input: Parameters<typeof metricFamilies>[0]): Record<string, number> {
  const family = metricFamilies(input).find((f) => f.name === name);
  if (family === undefined) throw new Error(`no family ${name}`);
  const values = (labels: string) => [...labels.matchAll(/(\w+)="([^"]*)"/g)].filter((m) => m[1] !== "group").map((m) => m[2]);
  return Object.fromEntries(family.samples.map((s) => [values(s.labels).join(","), s.value]));
}

test("state: one sample per state, 1 for the one the companion is in", () => {
  const state = samples("companion_state", { records: [running], groups: new Map(), self: null, now: T0 });
  expect(Object.keys(state)).toEqual(METRIC_STATES.map((s) => `rq,${s}`));
  expect(Object.entries(state).filter(([, v]) => v === 1)).toEqual([["rq,RUNNING", 1]]);
});

test("restarts, exits and the last exit code follow the record; a kill reads 128 + 9", () => {
  expect(killedOnce.state).toBe("STARTING");
  const input = { records: [never, killedOnce], groups: new Map(), self: null, now: T0 };
  expect(samples("companion_restarts_total", { ...input, records: [killedOnce] })).toEqual({ rq: 1 });
  expect(samples("companion_exits_total", { ...input, records: [killedOnce] })).toEqual({ rq: 1 });
  expect(samples("companion_last_exit_code", { ...input, records: [killedOnce] })).toEqual({ rq: 137 });
  // Nothing exited yet: no sample rather than a made-up code.
  expect(samples("companion_last_exit_code", { ...input, records: [never] })).toEqual({});
  expect(samples("companion_restarts_total", { ...input, records: [never] })).toEqual({ rq: 0 });
});

test("exitCodeValue: the code, else 128 + the signal's number, else nothing", () => {
  expect(exitCodeValue({ exitCode: 3, signal: null })).toBe(3);
  expect(exitCodeValue({ exitCode: null, signal: "SIGTERM" })).toBe(128 + 15);
  expect(exitCodeValue({ exitCode: null, signal: "SIGWHAT" })).toBeNull();
});

test("uptime and usage: from the record's process and its group's sums; zero without a process", () => {
  const usage = { rssBytes: 5_000_000, cpuSeconds: 1.25, processes: 2 };
  const input = { records: [running], groups: new Map([[1234, usage]]), self: { rssBytes: 7, cpuSeconds: 0.5, processes: 1 }, now: T0 + 2500 };
  expect(samples("companion_uptime_seconds", input)).toEqual({ rq: 2.5 });
  expect(samples("companion_resident_memory_bytes", input)).toEqual({ rq: 5_000_000 });
  expect(samples("companion_cpu_seconds_total", input)).toEqual({ rq: 1.25 });
  expect(samples("companion_processes", input)).toEqual({ rq: 2 });
  expect(samples("companion_uptime_seconds", { ...input, records: [never] })).toEqual({ rq: 0 });
  expect(samples("companion_resident_memory_bytes", { ...input, records: [never] })).toEqual({ rq: 0 });
  const text = formatExposition(metricFamilies(input));
  expect(text).toContain("\nprocess_resident_memory_bytes 7\n");
  expect(text).toContain("\nprocess_cpu_seconds_total 0.5\n");
  expect(text).toContain('\ncompanion_state{companion="rq",group="rq",state="RUNNING"} 1\n');
  // Without /proc the manager's own families are left out, not zero.
  expect(formatExposition(metricFamilies({ ...input, self: null }))).not.toContain("process_");
});
