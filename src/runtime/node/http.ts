/**
 * HTTP on node:http for Node workers, with the app's fetch-style handler: the
 * request becomes a web `Request`, the `Response` is written back. Workers
 * serve the listening socket the master opened (`{ fd }`), so closing one
 * worker never drops a connection queued on the shared socket.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import netModule, { isIPv6, type Server as NetServer } from "node:net";
import { getSystemErrorName } from "node:util";
import { Readable } from "node:stream";
import { listenError } from "../listen-error.ts";
import type { HttpHandler, HttpServer, ListenTarget, SharedListener } from "../types.ts";

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    ...(hasBody ? { duplex: "half" } : {}),
  } as RequestInit);
}

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

/** Serves `handler` on `target` with node:http. */
export async function serveHttpNode(target: ListenTarget, handler: HttpHandler): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const info = { remoteAddress: () => req.socket.remoteAddress ?? "-" };
    Promise.resolve()
      .then(() => handler(toRequest(req), info))
      .then((response) => writeResponse(response, res))
      .catch(() => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
  await listen(server, target);
  return {
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    forceClose: () => server.closeAllConnections(),
    // The master's socket keeps queueing for the other workers and the replacement.
    ...(target.kind === "fd" ? { stopAccepting: () => void server.close() } : {}),
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
