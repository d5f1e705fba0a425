/**
 * HTTP on node:http for Node workers, with the app's fetch-style handler: the
 * request is a lazy web `Request` (lazy-request.ts), a plain `Response` is
 * written straight back (light-response.ts), any other is streamed. Workers
 * serve the listening socket the master opened (`{ fd }`), so closing one
 * worker never drops a connection queued on the shared socket.
 */
import { createServer, type ServerResponse } from "node:http";
import netModule, { isIPv6, Server as NetServerClass, type Server as NetServer } from "node:net";
import { getSystemErrorName } from "node:util";
import { lazyRequest } from "./lazy-request.ts";
import { installLightResponse, writeLightResponse } from "./light-response.ts";
import { listenError } from "../listen-error.ts";
import type { HttpHandler, HttpServer, ListenTarget, ServeOptions, SharedListener } from "../types.ts";

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  res.statusCode = response.status;
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (response.body === null) {
    res.end();
    return;
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve));
  }
  res.end();
}

function listen(server: NetServer, target: ListenTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(listenError(target, error));
    server.once("error", fail);
    const done = () => {
      server.removeListener("error", fail);
      resolve();
    };
    if (target.kind === "fd") server.listen({ fd: target.fd }, done);
    else if (target.kind === "unix") server.listen(target.path, done);
    else server.listen({ host: target.host, port: target.port, backlog: 2048 }, done);
  });
}

/** Serves `handler` on `target` with node:http (which never sets SO_REUSEPORT: `options.reusePort` changes nothing). */
export async function serveHttpNode(target: ListenTarget, handler: HttpHandler, _options: ServeOptions = {}): Promise<HttpServer> {
  installLightResponse();
  const server = createServer((req, res) => {
    const info = { remoteAddress: () => req.socket.remoteAddress ?? "-" };
    const fail = () => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    };
    const write = (response: Response) => {
      if (!writeLightResponse(response, res)) writeResponse(response, res).catch(fail);
    };
    // The hot path stays synchronous for an app that answers synchronously.
    let result: Response | Promise<Response>;
    try {
      result = handler(lazyRequest(req), info);
    } catch {
      return fail();
    }
    if (result instanceof Promise) result.then(write, fail);
    else write(result);
  });
  await listen(server, target);
  const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
  const address = server.address();
  return {
    port: target.kind === "tcp" && typeof address === "object" && address !== null ? address.port : null,
    // "close" comes once: when the listener is closed and the last connection is gone.
    stop: () => {
      if (server.listening) server.close();
      server.closeIdleConnections();
      return closed;
    },
    forceClose: () => server.closeAllConnections(),
    // The master's socket keeps queueing for the other workers and the replacement.
    // net.Server's close, not http's: that one (Node 19+) also closes idle keep-alive
    // connections, which races a client sending its next request on one.
    ...(target.kind === "fd" ? { stopAccepting: () => void NetServerClass.prototype.close.call(server) } : {}),
  };
}

interface ServerHandle {
  fd: number;
  close(): void;
  getsockname(out: { port?: number }): number;
}

/**
 * Opens (binds) a socket in the master for workers to inherit as an fd. Node's
 * own cluster does the same with this internal: the master binds but never
 * listens or accepts, each worker listens on the inherited socket and accepts
 * from the one queue they share.
 */
export async function openSharedListenerNode(target: Exclude<ListenTarget, { kind: "fd" }>): Promise<SharedListener> {
  const create = (netModule as unknown as { _createServerHandle: (a: string, p: number, t: number, fd?: number, flags?: number) => ServerHandle | number })
    ._createServerHandle;
  const handle =
    target.kind === "unix" ? create(target.path, -1, -1, undefined, undefined) : create(target.host, target.port, isIPv6(target.host) ? 6 : 4, undefined, undefined);
  if (typeof handle === "number") throw listenError(target, { code: getSystemErrorName(handle) });
  if (target.kind === "tcp") {
    // libuv keeps a failed bind's error for listen(), which only the workers call:
    // check that the socket really holds the port.
    const bound: { port?: number } = {};
    handle.getsockname(bound);
    if (target.port !== 0 && bound.port !== target.port) {
      handle.close();
      throw listenError(target, { code: "EADDRINUSE" });
    }
  }
  return { fd: handle.fd, close: () => handle.close() };
}
