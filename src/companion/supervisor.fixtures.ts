/**
 * The companion supervisor on the fake runtime and a fake clock, for its unit
 * tests: a resolved companion with every field filled in, a config, and a
 * supervisor wired to fakes.
 */
import type { CompanionConfig, ResolvedCompanion } from "../config/resolve.ts";
import { silentLogger } from "../log.ts";
import { createFakeRuntime, type FakeRuntime } from "../runtime/fake.ts";
import { createFakeClock, type FakeClock } from "../supervise/clock.ts";
import { createRecord, transition, type ChildEvent, type ChildRecord } from "../supervise/machine.ts";
import { currentRestartDelay, fixedDelay } from "../supervise/policy.ts";
import { describeRecord } from "./status.ts";
import { createMemoryPidRegistry, type PidRegistry } from "./pid-registry.ts";
import { createCompanionSupervisor, type CompanionRecord, type CompanionSupervisor, type CompanionSupervisorDeps } from "./supervisor.ts";

/** A target companion as the config layer would resolve it; `extra` overrides any field. */
export const companion = (name: string, extra: Partial<ResolvedCompanion> = {}): ResolvedCompanion => ({
  name,
  group: name,
  instance: 0,
  numprocs: 1,
  target: `./${name}.ts:run`,
  command: null,
  cwd: "/srv",
  env: { ROLE: name },
  stop_signal: "SIGTERM",
  stop_timeout: 2,
  reload_timeout: 1,
  startsecs: 0.5,
  stdout: "inherit",
  stderr: "inherit",
  restart_policy: "always",
  restart_delay: 0.25,
  restart_delay_max: 0.25,
  start_retries: null,
  stdout_max_bytes: 0,
  stdout_backups: 0,
  stderr_max_bytes: 0,
  stderr_backups: 0,
  singleton: false,
  ...extra,
});

/** A companion config; `restartDelay`, when given, is every companion's restart_delay (as companion_restart_delay would be). */
export const config = (companions: ResolvedCompanion[], restartDelay?: number): CompanionConfig => ({
  companions: restartDelay === undefined ? companions : companions.map((c) => ({ ...c, restart_delay: restartDelay, restart_delay_max: restartDelay })),
  control_socket: null,
  control_socket_mode: 0o600,
  control_idle_timeout: 60,
  restart_delay: restartDelay ?? 0.25,
  metrics_bind: null,
  log_prefix: true,
  log_buffer: 1024,
  lease: null,
});

/** Lets pending promise callbacks (spawn results, exits) run. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A supervisor on fakes, and the fakes. */
export interface Harness {
  runtime: FakeRuntime;
  clock: FakeClock;
  registry: PidRegistry;
  companions: CompanionSupervisor;
}

/** Wires a companion supervisor to a fake runtime, clock and pid registry; `deps` overrides any dependency. */
export function createHarness(deps: Partial<CompanionSupervisorDeps> = {}): Harness {
  const runtime = createFakeRuntime();
  const clock = createFakeClock();
  const registry = createMemoryPidRegistry();
  const companions = createCompanionSupervisor({
    runtime,
    clock,
    log: silentLogger,
    registry,
    baseEnv: { PATH: "/bin", ROLE: "base" },
    groupAlive: (pgid) => runtime.kill(-pgid, 0),
    // Fake pids may be real ones on this machine: identity is what the fake runtime says.
    provenGroup: () => true,
    companionArgv: (name, target) => ["self", "companion", name, target],
    ...deps,
  });
  return { runtime, clock, registry, companions };
}

/** One companion's record as the supervisor reports it, with the description and delay `status` shows. */
export function statusOf(companions: CompanionSupervisor, clock: FakeClock, name: string): CompanionRecord & { description: string; restart_delay: number } {
  const reply = companions.status([name]);
  if (!reply.ok) throw new Error(reply.error);
  const [record] = reply.records;
  if (record === undefined) throw new Error(`no status for ${name}`);
  return { ...record, description: describeRecord(record, clock.now()), restart_delay: currentRestartDelay(record.restart, record.lastDelayMs) / 1000 };
}

/** The time of the pure record tests (epoch ms). */
export const T0 = 1_700_000_000_000;

/** The companion of the pure record tests: "rq", fast timeouts, a 3 s restart delay. */
export const rq: ResolvedCompanion = companion("rq", {
  target: "./w.ts:run", cwd: "/", env: {}, stop_timeout: 1, reload_timeout: 1, startsecs: 1, restart_delay: 3, restart_delay_max: 3,
});

/** `record` (a fresh "rq" by default) after `events`, all at T0. */
export const after = (events: ChildEvent<ResolvedCompanion>[], record: ChildRecord<ResolvedCompanion> = createRecord(rq, fixedDelay(3000))): ChildRecord<ResolvedCompanion> =>
  events.reduce((r, e) => transition(r, e, T0).next, record);

/** "rq" RUNNING as pid 1234 since T0. */
export const running: ChildRecord<ResolvedCompanion> = after([{ type: "start" }, { type: "spawned", pid: 1234 }, { type: "startsecs-elapsed" }]);
