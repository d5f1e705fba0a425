/**
 * Worker generations. Every start and reload makes a new generation: the
 * listeners it serves (opened, or kept, by the master), the fds a worker of it
 * inherits, and its settings, written to a file in the state directory that
 * its workers read at boot.
 */
import { writeFileSync } from "node:fs";
import type { Settings } from "../config/resolve.ts";
import type { LogFormat } from "../log.ts";
import type { Http, ProcessInfo } from "../runtime/index.ts";
import type { createListeners } from "./listeners.ts";
import { join } from "node:path";
import type { BindTarget } from "../config/bind.ts";
import type { LogLevel } from "../log.ts";

/** What every worker of one generation runs with (written by the master). */
export interface WorkerSettings {
  generation: number;
  app: string;
  cwd: string;
  /** Each bind, with the fd (3, 4, …) it is inherited on when the master opened it. */
  listeners: Array<{ target: BindTarget; fd: number | null }>;
  timeout: number;
  graceful_timeout: number;
  max_requests: number;
  max_requests_jitter: number;
  accesslog: string | null;
  loglevel: LogLevel;
  logFormat: LogFormat;
}

/** The settings file of a generation. */
export const workerSettingsPath = (stateDir: string, generation: number) => join(stateDir, `workers-${generation}.json`);

/** The generations of one master. */
export interface Generations {
  /** Opens the binds of `next` and writes the new generation's settings; throws if a bind cannot be opened. */
  create(next: Settings): Promise<WorkerSettings>;
  /** The master's fds a worker of `generation` inherits (as its fds 3, 4, …). */
  inheritedFds(generation: number): number[];
  /** Drops what is kept for a generation that has no worker left. */
  forget(generation: number): void;
}

/** Creates the generation writer of a master. */
export function createGenerations(
  runtime: Pick<ProcessInfo, "cwd"> & Pick<Http, "inheritedFds">,
  stateDir: string,
  listeners: ReturnType<typeof createListeners>,
  logFormat: LogFormat,
): Generations {
  const masterFds = new Map<number, number[]>();
  let generation = 0;
  return {
    async create(next) {
      const listened = await listeners.open(next.bind);
      generation += 1;
      masterFds.set(generation, listened.flatMap((l) => (l.fd === null ? [] : [l.fd])));
      // The child sees the inherited sockets as fds 3, 4, … in that order (or at the master's numbers).
      let childFd = 3;
      const childFdOf = (fd: number) => (runtime.inheritedFds === "same" ? fd : childFd++);
      const settings: WorkerSettings = {
        generation,
        app: next.app ?? "",
        cwd: runtime.cwd(),
        listeners: listened.map((l) => ({ target: l.target, fd: l.fd === null ? null : childFdOf(l.fd) })),
        timeout: next.timeout,
        graceful_timeout: next.graceful_timeout,
        max_requests: next.max_requests,
        max_requests_jitter: next.max_requests_jitter,
        accesslog: next.accesslog,
        loglevel: next.loglevel,
        logFormat,
      };
      writeFileSync(workerSettingsPath(stateDir, generation), JSON.stringify(settings));
      return settings;
    },
    inheritedFds: (gen) => masterFds.get(gen) ?? [],
    forget: (gen) => void masterFds.delete(gen),
  };
}
