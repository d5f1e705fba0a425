/**
 * The body of an HTTP worker process: load the app, serve every bind, send
 * heartbeats to the master, recycle after max_requests (requests past it wait
 * for the replacement to listen), and on TERM stop accepting and let in-flight
 * requests finish (within graceful_timeout).
 */
import { readFileSync, renameSync, rmSync } from "node:fs";
import { EXIT_OK, WORKER_BOOT_ERROR } from "../exit-codes.ts";
import { workerSettingsPath, type WorkerSettings } from "../master/generations.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { withTimeout } from "../supervise/timeout.ts";
import { createLogger } from "../log.ts";
import type { HttpServer, ListenTarget, RequestInfo, Runtime, Http, ProcessInfo, HttpHandler } from "../runtime/index.ts";
import { openAccessLog, formatAccessLine, type AccessLog } from "../master/access-log.ts";
import { loadApp, type AppHandler } from "../master/app.ts";
import { formatBind } from "../config/bind.ts";
import { connectWorkerChannel, type WorkerChannel } from "../master/worker-channel.ts";


/** Seconds a stopping worker keeps serving (answering "Connection: close") before its server stops. */
const DRAIN_SECS = 1;

/** Arguments of the worker role. */
export interface WorkerArgs {
  stateDir: string;
  generation: number;
  id: number;
  /** Serve the unix binds too (where workers cannot share one unix socket, one worker serves it). */
  unix: boolean;
}

/** A unix bind under SO_REUSEPORT runtimes: bound under a private name, then renamed over the public path. */
async function serveUnixByRename(runtime: Http & Pick<ProcessInfo, "pid">, path: string, handler: HttpHandler): Promise<HttpServer> {
  const temporary = `${path}.${runtime.pid}`;
  rmSync(temporary, { force: true });
  const server = await runtime.serveHttp({ kind: "unix", path: temporary }, handler);
  renameSync(temporary, path);
  return server;
}

/** Runs the worker role until it is stopped; returns the exit status. */
export async function runWorker(runtime: Runtime, args: WorkerArgs): Promise<number> {
  const settings = JSON.parse(readFileSync(workerSettingsPath(args.stateDir, args.generation), "utf8")) as WorkerSettings;
  const log = createLogger({ level: settings.loglevel, format: settings.logFormat, pid: runtime.pid }).withTag(`worker:${args.id}`);
  const channel: WorkerChannel = await connectWorkerChannel(runtime, args.stateDir);
  channel.send({ t: "hello", id: args.id, pid: runtime.pid, generation: args.generation });
  /** The worker could not boot: says why, in the log and to the master, and exits with its status. */
  const bootFailed = async (error: unknown): Promise<number> => {
    const message = error instanceof Error ? error.message : String(error);
    log.error(message);
    channel.send({ t: "boot-error", message });
    await new Promise((resolve) => setTimeout(resolve, 50));
    return WORKER_BOOT_ERROR;
  };

  let requests = 0;
  const limit = settings.max_requests > 0 ? settings.max_requests + Math.floor(Math.random() * (settings.max_requests_jitter + 1)) : 0;
  let retiring = false;
  // Past max_requests a new request waits for the hand-over (the replacement listens, the
  // master sends TERM, our listeners close) and is answered then, with "Connection: close".
  // Where the listener can close alone (Node: the master's socket keeps the queue), it closes
  // at once instead and requests on open connections are answered, with "Connection: close".
  let holding = false;
  let handOver = (): void => {};
  const handedOver = new Promise<void>((resolve) => (handOver = () => {
    holding = false;
    resolve();
  }));
  // Heartbeats come from the event loop: a worker whose loop is blocked stops sending them.
  if (settings.timeout > 0) {
    setInterval(() => channel.send({ t: "beat", requests }), Math.max(50, (settings.timeout * 1000) / 4));
  }

  const servers: HttpServer[] = [];
  let stopping: Promise<number> | null = null;
  // Once stopping, every response asks the client to close its connection, so
  // keep-alive clients move to the new workers instead of racing our close.
  let draining = false;
  const stop = (quick: boolean): Promise<number> => {
    if (stopping !== null && !quick) return stopping;
    if (quick) {
      for (const server of servers) server.forceClose();
      return runtime.exit(EXIT_OK);
    }
    draining = true;
    // Where the listener is shared, stop taking connections at once: the others take them.
    for (const server of servers) server.stopAccepting?.();
    stopping = (async () => {
      // Keep serving a moment with "Connection: close" before the server stops: a
      // keep-alive connection it would close while idle races the client's next
      // request; one closed by the client after its response races nothing.
      // A worker holding requests past max_requests stops at once: its replacement listens.
      if (!holding) await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_SECS, settings.graceful_timeout) * 1000));
      const stopped = Promise.all(servers.map((server) => server.stop()));
      handOver();
      await withTimeout(stopped, settings.graceful_timeout * 1000, createSystemClock(), () => []);
      return EXIT_OK;
    })();
    return stopping;
  };
  let accessLog: AccessLog | null = null;
  runtime.onSignal("SIGTERM", () => void stop(false).then((code) => runtime.exit(code)));
  runtime.onSignal("SIGINT", () => void stop(true));
  runtime.onSignal("SIGQUIT", () => void stop(true));
  runtime.onSignal("SIGUSR1", () => {
    try {
      accessLog?.reopen();
    } catch (error) {
      // The old file stays open: better than losing the lines.
      log.error(`cannot reopen the access log: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  for (const signal of ["SIGHUP", "SIGUSR2", "SIGTTIN", "SIGTTOU", "SIGWINCH"] as const) runtime.onSignal(signal, () => {});
  runtime.watchStdinClose(() => {
    log.warn("the master is gone: finishing requests and exiting");
    void stop(false).then((code) => runtime.exit(code));
  });

  let app: AppHandler;
  try {
    app = await loadApp(settings.app, settings.cwd, runtime);
    accessLog = settings.accesslog === null ? null : openAccessLog(settings.accesslog);
  } catch (error) {
    return bootFailed(error);
  }

  /** After the app answered: the access log, and "Connection: close" while draining. */
  const finish = (request: Request, info: RequestInfo, response: Response): Response => {
    accessLog?.write(formatAccessLine(request, response, info.remoteAddress(), new Date()));
    if (draining) {
      try {
        response.headers.set("connection", "close");
      } catch {
        // immutable headers (a Response.redirect, say): the server closes the connection anyway
      }
    }
    return response;
  };
  const failed = (request: Request, error: unknown): Response => {
    log.error(`error handling ${request.method} ${request.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return new Response("Internal Server Error", { status: 500 });
  };
  // The hot path: no await for an app that answers synchronously, nothing computed that is not logged.
  const handler = (request: Request, info: RequestInfo): Response | Promise<Response> => {
    requests += 1;
    if (holding) return handedOver.then(() => respond(request, info));
    if (limit > 0 && requests >= limit && !retiring) {
      retiring = true;
      log.info(`served ${requests} requests (max_requests): asking to be replaced`);
      channel.send({ t: "retire", requests });
      if (servers.every((server) => server.stopAccepting !== undefined)) {
        for (const server of servers) server.stopAccepting?.();
        draining = true;
      } else holding = true;
    }
    return respond(request, info);
  };
  const respond = (request: Request, info: RequestInfo): Response | Promise<Response> => {
    let result: Response | Promise<Response>;
    try {
      result = app(request);
    } catch (error) {
      return finish(request, info, failed(request, error));
    }
    if (result instanceof Response) return finish(request, info, result);
    return Promise.resolve(result).then(
      (response) => finish(request, info, response),
      (error) => finish(request, info, failed(request, error)),
    );
  };

  try {
    for (const { target, fd } of settings.listeners) {
      if (fd !== null) servers.push(await runtime.serveHttp({ kind: "fd", fd } satisfies ListenTarget, handler));
      else if (target.kind === "tcp") servers.push(await runtime.serveHttp(target, handler));
      else if (args.unix) servers.push(await serveUnixByRename(runtime, target.path, handler));
    }
  } catch (error) {
    // The runtime's message names the address and the reason (runtime/listen-error.ts).
    return bootFailed(error);
  }
  log.info(`booted, serving ${settings.listeners.map((l) => formatBind(l.target)).join(", ")}`);
  channel.send({ t: "ready" });
  // The event loop keeps us alive; signals and the lifeline end us.
  return new Promise<number>(() => {});
}
