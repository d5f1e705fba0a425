/**
 * The worker pool as the master runs it: the real listeners, generations,
 * worker channel, argv and clock wired into the pool of workers.ts.
 */
import type { Settings } from "../config/resolve.ts";
import { formatBind, parseBind } from "../config/bind.ts";
import { userEnv } from "../gc-timer.ts";
import type { LogFormat, Logger } from "../log.ts";
import { formatSelfCommand, type ProcessInfo, type Processes, type Http, type UnixSockets } from "../runtime/index.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { createGenerations } from "./generations.ts";
import { createListeners, warnAboutQueueMigration } from "./listeners.ts";
import { listenWorkerChannel } from "./worker-channel.ts";
import { createWorkerPool, type WorkerPool } from "./workers.ts";

/** Options of `createMasterWorkerPool`. */
export interface MasterWorkerPoolOptions {
  runtime: ProcessInfo & Processes & Http & UnixSockets;
  stateDir: string;
  log: Logger;
  logFormat: LogFormat;
}

/** The master's HTTP worker pool on the real runtime. */
export function createMasterWorkerPool(options: MasterWorkerPoolOptions): WorkerPool {
  const { runtime, stateDir, log } = options;
  const listeners = createListeners(runtime);
  const pool = createWorkerPool({
    runtime,
    clock: createSystemClock(),
    log,
    listeners,
    generations: createGenerations(runtime, stateDir, listeners, options.logFormat),
    workerArgv: (generation, id, unix) =>
      formatSelfCommand(runtime.snapshot(), "worker", ["--state-dir", stateDir, "--generation", String(generation), "--id", String(id), ...(unix ? ["--unix"] : [])]),
    env: userEnv(runtime.env()),
    openChannel: (onMessage) => listenWorkerChannel(runtime, stateDir, onMessage),
  });
  return {
    ...pool,
    async start(settings: Settings) {
      warnAboutQueueMigration(runtime, settings.bind, log);
      await pool.start(settings);
      log.info(`listening at ${settings.bind.map((b) => formatBind(parseBind(b))).join(", ")} with ${settings.workers} worker(s)`);
    },
  };
}
