/**
 * The master's HTTP workers: start them, replace one that exits or stops
 * sending heartbeats for `timeout` seconds, recycle after max_requests, add and
 * remove one (TTIN/TTOU), and reload by starting a new generation, waiting
 * until every new worker listens, then stopping the old ones gracefully.
 */
import { userEnv } from "../gc-timer.ts";
import { errorMessage, FatalError } from "../errors.ts";
import type { Settings } from "../config/resolve.ts";
import type { LogFormat, Logger } from "../log.ts";
import { formatExit, formatSelfCommand, type ChildHandle, type Runtime } from "../runtime/index.ts";
import { formatBind, parseBind } from "../config/bind.ts";
import { createListeners, warnAboutQueueMigration } from "./listeners.ts";
import { listenWorkerChannel, type WorkerMessage } from "./worker-channel.ts";
import { createGenerations } from "./generations.ts";
import { WORKER_BOOT_ERROR } from "../exit-codes.ts";
import type { WorkerSettings } from "./worker.ts";

/** Seconds a new generation may take to boot before a reload gives up on it. */
const BOOT_TIMEOUT_FLOOR_SECS = 30;
/** Seconds between attempts to replace a worker that failed to boot (after the first boot). */
const REBOOT_DELAY_SECS = 1;

type WorkerState = "booting" | "ready" | "retiring" | "stopping";

interface WorkerRecord {
  id: number;
  generation: number;
  child: ChildHandle;
  state: WorkerState;
  timer: ReturnType<typeof setTimeout> | null;
  bootError: string | null;
  ready: Promise<string | null>;
  settleReady: (error: string | null) => void;
}

/** The running workers. */
export interface WorkerPool {
  /** Opens the listeners and starts `workers` workers; rejects with a FatalError if they cannot boot. */
  start(settings: Settings): Promise<void>;
  /** A new generation on the new settings; the old one is stopped once the new one listens. False if it could not boot. */
  reload(settings: Settings): Promise<boolean>;
  increment(): void;
  decrement(): void;
  reopenLogs(): void;
  /** Stops every worker: graceful (TERM, then SIGKILL after graceful_timeout) or quick (QUIT). */
  stop(mode: "graceful" | "quick"): Promise<void>;
  /** Pids of the live workers. */
  pids(): number[];
}

/** Options of `createWorkerPool`. */
export interface WorkerPoolOptions {
  runtime: Runtime;
  stateDir: string;
  log: Logger;
  logFormat: LogFormat;
}

/** Creates the pool; nothing runs until `start`. */
export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { runtime, stateDir, log } = options;
  const records = new Map<number, WorkerRecord>();
  const listeners = createListeners(runtime);
  const generations = createGenerations(runtime, stateDir, listeners, options.logFormat);
  let current: WorkerSettings | null = null;
  let desired = 0;
  let stopping = false;
  let channel: { close(): void } | null = null;

  const live = () => [...records.values()].filter((r) => r.state !== "stopping");
  // Worker ids being spawned, per generation: counted as workers by `fill`.
  const spawning = new Map<number, Set<number>>();

  function armTimeout(record: WorkerRecord): void {
    if (record.timer !== null) clearTimeout(record.timer);
    // Loading the app may take long: until a worker is ready it gets the boot allowance, not `timeout`.
    const timeout = record.state === "booting" ? Math.max(BOOT_TIMEOUT_FLOOR_SECS, current?.timeout ?? 0) : (current?.timeout ?? 0);
    if (timeout <= 0 || record.state === "stopping") return;
    record.timer = setTimeout(() => {
      log.error(`worker ${record.id} (pid ${record.child.pid}) sent no heartbeat for ${timeout}s: killing it`);
      if (record.state === "booting") record.bootError = `no heartbeat within ${timeout}s`;
      record.child.kill("SIGKILL");
    }, timeout * 1000);
  }

  function onMessage(pid: number, message: WorkerMessage): void {
    const record = records.get(pid);
    if (record === undefined) return;
    armTimeout(record);
    switch (message.t) {
      case "ready":
        if (record.state === "booting") record.state = "ready";
        armTimeout(record);
        record.settleReady(null);
        break;
      case "boot-error":
        record.bootError = message.message;
        break;
      case "retire":
        if (record.state === "ready") {
          record.state = "retiring";
          void replace(record);
        }
        break;
      default:
        break;
    }
  }

  /** Spawns one worker of the current generation. */
  async function spawnWorker(id: number): Promise<WorkerRecord | null> {
    const gen = current;
    if (gen === null || stopping) return null;
    let ids = spawning.get(gen.generation);
    if (ids === undefined) spawning.set(gen.generation, (ids = new Set()));
    ids.add(id);
    try {
      return await spawnWorkerNow(gen, id);
    } finally {
      ids.delete(id);
      if (ids.size === 0) spawning.delete(gen.generation);
    }
  }

  async function spawnWorkerNow(gen: WorkerSettings, id: number): Promise<WorkerRecord | null> {
    // Where workers cannot share one unix socket, worker 0 serves it (its replacement takes the path over).
    const unix = runtime.httpSharing === "inherit" || id === 0;
    const argv = formatSelfCommand(runtime.snapshot(), "worker", [
      "--state-dir",
      stateDir,
      "--generation",
      String(gen.generation),
      "--id",
      String(id),
      ...(unix ? ["--unix"] : []),
    ]);
    let child: ChildHandle;
    try {
      child = await runtime.spawn({
        argv,
        // The app's environment is the one the master was started with.
        env: userEnv(runtime.env()),
        // stdin is the lifeline: the worker sees end-of-file when the master dies.
        stdin: "pipe",
        stdout: "inherit",
        stderr: "inherit",
        extraFds: generations.inheritedFds(gen.generation),
      });
    } catch (error) {
      log.error(`cannot start worker ${id}: ${errorMessage(error)}`);
      return null;
    }
    let settleReady: (error: string | null) => void = () => {};
    const ready = new Promise<string | null>((resolve) => {
      settleReady = resolve;
    });
    const record: WorkerRecord = { id, generation: gen.generation, child, state: "booting", timer: null, bootError: null, ready, settleReady };
    records.set(child.pid, record);
    if (stopping) {
      // The master began to stop while this worker was being spawned.
      void child.exited.then((status) => onExit(record, status.exitCode, status.signal));
      stopWorker(record, "SIGQUIT");
      return record;
    }
    armTimeout(record);
    log.info(`booting worker ${id} with pid ${child.pid}`);
    void child.exited.then((status) => onExit(record, status.exitCode, status.signal));
    return record;
  }

  function onExit(record: WorkerRecord, exitCode: number | null, signal: string | null): void {
    records.delete(record.child.pid);
    if (record.timer !== null) clearTimeout(record.timer);
    const bootFailed = record.state === "booting";
    const replaceable = record.generation === current?.generation && !stopping && record.state !== "stopping";
    if (bootFailed && signal !== null && record.bootError === null && replaceable) {
      // Killed from outside while it booted (the OOM killer, an operator): that says
      // nothing about the app, so another worker takes its place, as gunicorn does;
      // whoever waits for this one to be ready waits for the new one.
      log.warn(`worker ${record.id} (pid ${record.child.pid}) was killed by ${signal} while booting; starting another`);
      void spawnWorker(record.id).then((fresh) => {
        if (fresh === null) record.settleReady("a worker could not be started");
        else void fresh.ready.then(record.settleReady);
      });
      return;
    }
    record.settleReady(bootFailed ? (record.bootError ?? `worker ${formatExit(exitCode, signal)} before it was ready`) : null);
    if (record.state === "stopping" || stopping) return;
    if (record.generation !== current?.generation) return;
    if (bootFailed && exitCode === WORKER_BOOT_ERROR) {
      log.error(`worker ${record.id} failed to boot: ${record.bootError ?? "see its output"}; trying again in ${REBOOT_DELAY_SECS}s`);
      setTimeout(() => void fill(), REBOOT_DELAY_SECS * 1000);
      return;
    }
    log.warn(`worker ${record.id} (pid ${record.child.pid}) ${formatExit(exitCode, signal)}; replacing it`);
    void fill();
  }

  /**
   * Starts workers until the current generation has `desired` live ones
   * (retiring ones not counted, spawns in flight counted); returns them. Safe
   * to run several at once (a burst of TTINs): each spawn re-reads the count.
   */
  async function fill(): Promise<WorkerRecord[]> {
    const started: WorkerRecord[] = [];
    for (;;) {
      if (stopping || current === null) break;
      const gen = current.generation;
      const mine = live().filter((r) => r.generation === gen && r.state !== "retiring");
      const inFlight = spawning.get(gen) ?? new Set<number>();
      if (mine.length + inFlight.size >= desired) break;
      const used = new Set([...mine.map((r) => r.id), ...inFlight]);
      let id = 0;
      while (used.has(id)) id++;
      const record = await spawnWorker(id);
      if (record === null) break;
      started.push(record);
    }
    return started;
  }

  /** Replaces a retiring worker: the new one first, then the old one stops gracefully. */
  async function replace(record: WorkerRecord): Promise<void> {
    const errors = await Promise.all((await fill()).map((fresh) => fresh.ready));
    for (const error of errors) if (error !== null) log.error(`replacement of worker ${record.id} failed: ${error}`);
    stopWorker(record, "SIGTERM");
  }

  function stopWorker(record: WorkerRecord, signal: "SIGTERM" | "SIGQUIT"): void {
    if (record.state === "stopping") return;
    record.state = "stopping";
    if (record.timer !== null) clearTimeout(record.timer);
    record.child.kill(signal);
    const graceSecs = (signal === "SIGTERM" ? (current?.graceful_timeout ?? 30) : 0) + 2;
    const timer = setTimeout(() => {
      if (records.has(record.child.pid)) {
        log.warn(`worker ${record.id} (pid ${record.child.pid}) did not stop within ${graceSecs}s; sending SIGKILL`);
        record.child.kill("SIGKILL");
      }
    }, graceSecs * 1000);
    void record.child.exited.then(() => clearTimeout(timer));
  }

  /** Starts a generation and waits until all of it is ready; the error of the first that failed, or null. */
  async function bootGeneration(count: number): Promise<string | null> {
    desired = count;
    const started: WorkerRecord[] = [];
    for (let id = 0; id < count; id++) {
      const record = await spawnWorker(id);
      if (record === null) return "a worker could not be started";
      started.push(record);
    }
    const limitSecs = Math.max(BOOT_TIMEOUT_FLOOR_SECS, current?.timeout ?? 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`workers did not boot within ${limitSecs}s`), limitSecs * 1000);
    });
    const results = await Promise.race([Promise.all(started.map((r) => r.ready)), timeout.then((e) => [e])]);
    clearTimeout(timer);
    return results.find((r) => r !== null) ?? null;
  }

  return {
    pids: () => live().map((r) => r.child.pid),

    async start(next) {
      warnAboutQueueMigration(runtime, next.bind, log);
      channel = await listenWorkerChannel(runtime, stateDir, onMessage);
      current = await generations.create(next);
      const error = await bootGeneration(next.workers);
      if (error !== null) {
        stopping = true;
        for (const record of records.values()) stopWorker(record, "SIGQUIT");
        throw new FatalError(`worker failed to boot: ${error}`, WORKER_BOOT_ERROR);
      }
      log.info(`listening at ${next.bind.map((b) => formatBind(parseBind(b))).join(", ")} with ${next.workers} worker(s)`);
    },

    async reload(next) {
      const old = [...records.values()].filter((r) => r.state !== "stopping");
      const previous = current;
      const previousDesired = desired;
      let fresh: WorkerSettings;
      try {
        fresh = await generations.create(next);
      } catch (error) {
        log.error(`reload: ${errorMessage(error)}; the old workers keep serving`);
        return false;
      }
      current = fresh;
      const error = await bootGeneration(next.workers);
      if (error !== null) {
        log.error(`reload: the new workers failed to boot (${error}); the old workers keep serving`);
        for (const record of records.values()) if (record.generation === fresh.generation) stopWorker(record, "SIGQUIT");
        current = previous;
        desired = previousDesired;
        return false;
      }
      // The new generation listens: the old one may go, finishing what it has in hand.
      for (const record of old) stopWorker(record, "SIGTERM");
      await Promise.all(old.map((r) => r.child.exited));
      listeners.closeUnused(next.bind);
      return true;
    },

    increment() {
      desired += 1;
      log.info(`TTIN: ${desired} worker(s)`);
      void fill();
    },

    decrement() {
      if (desired <= 1) {
        log.info("TTOU ignored: one worker is the minimum");
        return;
      }
      desired -= 1;
      // The oldest goes, as in gunicorn.
      const oldest = live().sort((a, b) => a.child.pid - b.child.pid)[0];
      log.info(`TTOU: ${desired} worker(s)`);
      if (oldest !== undefined) stopWorker(oldest, "SIGTERM");
    },

    reopenLogs() {
      for (const record of live()) record.child.kill("SIGUSR1");
    },

    async stop(mode) {
      stopping = true;
      for (const record of records.values()) stopWorker(record, mode === "graceful" ? "SIGTERM" : "SIGQUIT");
      // A worker whose spawn was in flight stops itself on arrival: wait for those too.
      while (records.size > 0) await Promise.all([...records.values()].map((r) => r.child.exited));
      listeners.closeAll();
      channel?.close();
    },
  };
}
