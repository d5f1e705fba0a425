/**
 * The master's HTTP workers on the supervision kernel, each a record whose
 * process reports `ready`. The pool keeps `workers` of the current generation,
 * kills one silent for `timeout`, recycles one after max_requests (its
 * replacement first), handles TTIN/TTOU, and reloads by booting a new
 * generation before stopping the old one gracefully. Exit verdicts: worker-verdicts.ts.
 */
import type { Settings } from "../config/resolve.ts";
import { FatalError, errorMessage } from "../errors.ts";
import { WORKER_BOOT_ERROR } from "../exit-codes.ts";
import { createQuietLogger, type Logger } from "../log.ts";
import type { Http, Processes, SignalName } from "../runtime/index.ts";
import type { Clock } from "../supervise/clock.ts";
import { createDeadlines } from "../supervise/deadlines.ts";
import { createSupervisor } from "../supervise/interpreter.ts";
import { DOWN_STATES, type ChildRecord, type ChildSpec } from "../supervise/machine.ts";
import { fixedDelay } from "../supervise/policy.ts";
import { withTimeout } from "../supervise/timeout.ts";
import type { WorkerMessage } from "./worker-channel.ts";
import { judgeBoot, judgeWorkerExit, REBOOT_DELAY_SECS } from "./worker-verdicts.ts";
import type { Generations, WorkerSettings } from "./generations.ts";
import type { Listeners } from "./listeners.ts";

/** Seconds a new generation may take to boot before a start or reload gives up on it. */
export const BOOT_TIMEOUT_FLOOR_SECS = 30;
/** Seconds on top of graceful_timeout before a stopping worker gets SIGKILL; a quick stop's whole allowance. */
export const STOP_MARGIN_SECS = 2;

/** One worker as the kernel supervises it. */
interface WorkerSpec extends ChildSpec {
  readonly generation: number;
  /** The worker's number in its generation (0, 1, …); a replacement takes over the number. */
  readonly id: number;
}

/** The running workers. */
export interface WorkerPool {
  /** Opens the listeners and starts `workers` workers; rejects with a FatalError if they cannot boot. */
  start(settings: Settings): Promise<void>;
  /** A new generation on the new settings; the old one is stopped once the new one is ready. False if it could not boot. */
  reload(settings: Settings): Promise<boolean>;
  increment(): void;
  decrement(): void;
  reopenLogs(): void;
  /** Stops every worker: graceful (TERM, then SIGKILL after graceful_timeout) or quick (QUIT). */
  stop(mode: "graceful" | "quick"): Promise<void>;
}

/** What the pool needs from the world, injected so that tests can use fakes. */
export interface WorkerPoolDeps {
  runtime: Processes & Pick<Http, "httpSharing">;
  clock: Clock;
  log: Logger;
  listeners: Pick<Listeners, "closeUnused" | "closeAll">;
  generations: Generations;
  /** The argv of one worker (this program in its worker role). */
  workerArgv(generation: number, id: number, unix: boolean): string[];
  /** The app's environment: the one the master was started with. */
  env: Readonly<Record<string, string>>;
  /** Opens the channel workers report on; `onMessage` gets each message with the sender's pid. */
  openChannel(onMessage: (pid: number, message: WorkerMessage) => void): Promise<{ close(): void }>;
}

/** Creates the pool; nothing runs until `start`. */
export function createWorkerPool(deps: WorkerPoolDeps): WorkerPool {
  const { runtime, clock, log, generations } = deps;
  let current: WorkerSettings | null = null;
  let desired = 0;
  let stopping = false;
  let sequence = 0;
  let channel: { close(): void } | null = null;
  const settingsOf = new Map<number, WorkerSettings>();
  const pidToName = new Map<number, string>();
  const heartbeats = createDeadlines<string>(clock);
  const bootErrors = new Map<string, string>();
  const retiring = new Set<string>();

  const supervisor = createSupervisor<WorkerSpec>(deps, {
    group: false,
    // The machine's own lines are for debugging; the pool says what matters in gunicorn's words.
    logFor: (name): Logger => createQuietLogger(log, (): string => `worker ${supervisor.get(name)?.spec.id ?? "?"}`),
    spawnOptions(_name, spec) {
      // Where workers cannot share a unix socket (reuse-port), worker 0 serves it (its replacement takes the path over).
      const unix = runtime.httpSharing === "inherit" || spec.id === 0;
      return {
        argv: deps.workerArgv(spec.generation, spec.id, unix),
        env: deps.env,
        // stdin is the lifeline: the worker sees end-of-file when the master dies.
        stdin: "pipe",
        stdout: "inherit",
        stderr: "inherit",
        extraFds: generations.inheritedFds(spec.generation),
      };
    },
    onSpawned(name, child, spec) {
      pidToName.set(child.pid, name);
      bootErrors.delete(name);
      if (!stopping) log.info(`booting worker ${spec.id} with pid ${child.pid}`);
      // The machine records the pid after this hook; arm once it has.
      queueMicrotask(() => armHeartbeat(name));
    },
    onExited(name, child, spec, status) {
      pidToName.delete(child.pid);
      heartbeats.clear(name);
      const bootError = bootErrors.get(name) ?? null;
      bootErrors.delete(name);
      const record = supervisor.get(name);
      // A worker the pool stopped on purpose ends quietly.
      if (record === undefined || record.state === "STOPPING") return {};
      const verdict = judgeWorkerExit({ id: spec.id, pid: child.pid, booting: record.state === "STARTING", status, bootError });
      log[verdict.log.level](verdict.log.message);
      return { reason: verdict.reason, delayMs: verdict.delayMs };
    },
    onChange(name) {
      const record = supervisor.get(name);
      if (record === undefined) {
        retiring.delete(name);
        heartbeats.clear(name);
        forgetIdleGenerations();
      } else if (record.state === "STOPPING") heartbeats.clear(name);
    },
    onKilled(_name, record) {
      log.warn(`worker ${record.spec.id} (pid ${record.pid}) did not stop within ${(record.stopTimeoutMs ?? 0) / 1000}s; sending SIGKILL`);
    },
  });

  /** A worker that stays silent this long is killed; loading the app may take long, so booting gets more. */
  function armHeartbeat(name: string): void {
    heartbeats.clear(name);
    const record = supervisor.get(name);
    const settings = record === undefined ? undefined : settingsOf.get(record.spec.generation);
    if (record === undefined || record.pid === null || settings === undefined || record.state === "STOPPING") return;
    const timeout = record.state === "STARTING" ? Math.max(BOOT_TIMEOUT_FLOOR_SECS, settings.timeout) : settings.timeout;
    if (timeout <= 0) return;
    const pid = record.pid;
    heartbeats.set(name, timeout * 1000, () => {
      log.error(`worker ${record.spec.id} (pid ${pid}) sent no heartbeat for ${timeout}s: killing it`);
      if (supervisor.get(name)?.state === "STARTING") bootErrors.set(name, `no heartbeat within ${timeout}s`);
      runtime.kill(pid, "SIGKILL");
    });
  }

  function onMessage(pid: number, message: WorkerMessage): void {
    const name = pidToName.get(pid);
    if (name === undefined) return;
    if (message.t === "ready") supervisor.dispatch(name, { type: "ready" });
    else if (message.t === "boot-error") bootErrors.set(name, message.message);
    else if (message.t === "retire" && supervisor.get(name)?.state === "RUNNING" && !retiring.has(name)) {
      retiring.add(name);
      void replace(name);
    }
    armHeartbeat(name);
  }

  /** Forgets every generation that is not current and has no worker left (so HUPs do not grow the pool). */
  function forgetIdleGenerations(): void {
    for (const generation of settingsOf.keys()) {
      if (generation === current?.generation || [...supervisor.records()].some((r) => r.spec.generation === generation)) continue;
      settingsOf.delete(generation);
      generations.forget(generation);
    }
  }

  /** Workers of the current generation that count toward `desired` (not retiring, not being removed). */
  function serving(): ChildRecord<WorkerSpec>[] {
    const generation = current?.generation;
    return [...supervisor.records()].filter((r) => r.spec.generation === generation && r.afterStop !== "remove" && !retiring.has(r.name));
  }

  /** Adds workers until the current generation has `desired`; returns their names. Synchronous, so a burst of TTINs cannot overshoot. */
  function fill(): string[] {
    const added: string[] = [];
    if (stopping || current === null) return added;
    const settings = current;
    for (let mine = serving(); mine.length < desired; mine = serving()) {
      const used = new Set(mine.map((r) => r.spec.id));
      let id = 0;
      while (used.has(id)) id++;
      const stopSecs = settings.graceful_timeout + STOP_MARGIN_SECS;
      const name = `${settings.generation}.${id}.${++sequence}`;
      supervisor.add(
        { name, generation: settings.generation, id, stop_signal: "SIGTERM", stop_timeout: stopSecs, reload_timeout: stopSecs, startsecs: null },
        // A worker whose spawn fails is tried again after a pause; one that exits says its own delay.
        fixedDelay(REBOOT_DELAY_SECS * 1000),
      );
      supervisor.dispatch(name, { type: "start" });
      added.push(name);
    }
    return added;
  }

  /** Waits until the named workers are ready; the error of the first that failed, or null. */
  async function waitReady(names: readonly string[], settings: WorkerSettings): Promise<string | null> {
    const limitSecs = Math.max(BOOT_TIMEOUT_FLOOR_SECS, settings.timeout);
    const outcome = () => judgeBoot(names.map((name) => supervisor.get(name)));
    const ready = supervisor.until(() => outcome() !== undefined).then(() => outcome() ?? null);
    return withTimeout(ready, limitSecs * 1000, clock, () => `workers did not boot within ${limitSecs}s`);
  }

  function stopNow(names: Iterable<string>, signal: SignalName, timeoutMs: number | null): void {
    for (const name of names) supervisor.dispatch(name, { type: "shutdown", timeoutMs, signal });
  }

  /** Replaces a retiring worker: the new one first, then the old one stops gracefully. */
  async function replace(name: string): Promise<void> {
    const id = supervisor.get(name)?.spec.id;
    const settings = current;
    const fresh = fill();
    const error = settings === null || fresh.length === 0 ? null : await waitReady(fresh, settings);
    if (error !== null) log.error(`replacement of worker ${id} failed: ${error}`);
    supervisor.dispatch(name, { type: "remove" });
  }

  async function boot(settings: Settings): Promise<{ generation: WorkerSettings; error: string | null }> {
    const generation = await generations.create(settings);
    settingsOf.set(generation.generation, generation);
    current = generation;
    desired = settings.workers;
    return { generation, error: await waitReady(fill(), generation) };
  }

  return {
    async start(settings) {
      channel = await deps.openChannel(onMessage);
      const { error } = await boot(settings);
      if (error !== null) {
        stopping = true;
        stopNow([...supervisor.records()].map((r) => r.name), "SIGQUIT", STOP_MARGIN_SECS * 1000);
        throw new FatalError(`worker failed to boot: ${error}`, WORKER_BOOT_ERROR);
      }
    },

    async reload(settings) {
      const old = [...supervisor.records()].map((r) => r.name);
      const previous = current;
      const previousDesired = desired;
      let booted: Awaited<ReturnType<typeof boot>>;
      try {
        booted = await boot(settings);
      } catch (error) {
        log.error(`reload: ${errorMessage(error)}; the old workers keep serving`);
        return false;
      }
      if (booted.error !== null) {
        log.error(`reload: the new workers failed to boot (${booted.error}); the old workers keep serving`);
        // Current again before the new workers go, so that their generation is forgotten once they are gone.
        current = previous;
        desired = previousDesired;
        const fresh = [...supervisor.records()].filter((r) => r.spec.generation === booted.generation.generation).map((r) => r.name);
        stopNow(fresh, "SIGQUIT", STOP_MARGIN_SECS * 1000);
        for (const name of fresh) supervisor.dispatch(name, { type: "remove" });
        return false;
      }
      // The new generation is ready: the old one may go, finishing what it has in hand.
      for (const name of old) supervisor.dispatch(name, { type: "remove" });
      await supervisor.until(() => old.every((name) => supervisor.get(name) === undefined));
      deps.listeners.closeUnused(settings.bind);
      return true;
    },

    increment() {
      desired += 1;
      log.info(`TTIN: ${desired} worker(s)`);
      fill();
    },

    decrement() {
      if (desired <= 1) {
        log.info("TTOU ignored: one worker is the minimum");
        return;
      }
      desired -= 1;
      log.info(`TTOU: ${desired} worker(s)`);
      // The oldest goes, as in gunicorn.
      const oldest = serving()
        .filter((r) => r.pid !== null)
        .sort((a, b) => (a.pid ?? 0) - (b.pid ?? 0))[0];
      if (oldest !== undefined) supervisor.dispatch(oldest.name, { type: "remove" });
    },

    reopenLogs() {
      for (const record of supervisor.records()) if (record.pid !== null && record.state !== "STOPPING") runtime.kill(record.pid, "SIGUSR1");
    },

    async stop(mode) {
      stopping = true;
      const names = [...supervisor.records()].map((r) => r.name);
      if (mode === "graceful") stopNow(names, "SIGTERM", null);
      else stopNow(names, "SIGQUIT", STOP_MARGIN_SECS * 1000);
      // A worker whose spawn was in flight is stopped once it reports: wait for those too.
      await supervisor.until(() => [...supervisor.records()].every((r) => DOWN_STATES.includes(r.state) && !r.spawning));
      deps.listeners.closeAll();
      channel?.close();
    },
  };
}
