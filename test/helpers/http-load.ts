/**
 * A load client that never retries: raw HTTP/1.1 over node:net, so that a
 * connection the server resets or closes under a request counts as a failure
 * (fetch and most clients would resend an idempotent request). Two modes:
 * "fresh" opens a connection per request (the hard case under SO_REUSEPORT),
 * "keep-alive" reuses one until the server says `Connection: close`.
 */
import { createConnection, type Socket } from "node:net";

/** What a load run saw. */
export interface LoadResults {
  ok: number;
  failed: number;
  /** The first few failures, as text. */
  errors: string[];
  /** Bodies seen (the test app answers its pid). */
  bodies: Map<string, number>;
}

/** A response read off a socket: complete once its body is (content-length or chunked). */
function parse(buffer: string): { status: number; body: string; close: boolean; length: number } | null {
  const end = buffer.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const head = buffer.slice(0, end).toLowerCase();
  const status = Number(/^http\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const close = /\r\nconnection: *close/.test(head);
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  const rest = buffer.slice(end + 4);
  if (length !== null) {
    const n = Number(length[1]);
    return rest.length < n ? null : { status, body: rest.slice(0, n), close, length: end + 4 + n };
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    const last = rest.indexOf("0\r\n\r\n");
    if (last < 0) return null;
    const body = rest.slice(0, last).replace(/(^|\r\n)[0-9a-f]+\r\n/g, "").replace(/\r\n$/, "");
    return { status, body, close, length: end + 4 + last + 5 };
  }
  return null;
}

/** Where a client connects: a TCP host and port, or a unix socket path. */
type Endpoint = { host: string; port: number } | { host: string; path: string };

/** The endpoint of `base`: an http URL, or `unix:/path`. */
function endpointOf(base: string): Endpoint {
  if (base.startsWith("unix:")) return { host: "localhost", path: base.slice("unix:".length) };
  const url = new URL(base);
  return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port) };
}

/** One client's connection: `request` sends a GET and resolves with the response, or rejects if the connection fails first. */
function openConnection(endpoint: Endpoint) {
  const socket: Socket = createConnection("path" in endpoint ? { path: endpoint.path } : { host: endpoint.host, port: endpoint.port });
  if (!("path" in endpoint)) socket.setNoDelay(true);
  const hostHeader = "path" in endpoint ? endpoint.host : `${endpoint.host}:${endpoint.port}`;
  let buffer = "";
  let pending: { resolve(r: { status: number; body: string; close: boolean }): void; reject(e: Error): void } | null = null;
  let closed = false;
  const fail = (error: Error) => {
    closed = true;
    pending?.reject(error);
    pending = null;
  };
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1");
    const response = parse(buffer);
    if (response === null || pending === null) return;
    buffer = buffer.slice(response.length);
    const waiter = pending;
    pending = null;
    waiter.resolve(response);
  });
  socket.on("error", (error) => fail(error));
  socket.on("close", () => fail(new Error(buffer === "" ? "connection closed before a response" : `connection closed in a response: ${JSON.stringify(buffer.slice(0, 60))}`)));
  return {
    get closed() {
      return closed;
    },
    request(path: string, keepAlive: boolean): Promise<{ status: number; body: string; close: boolean }> {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        socket.write(`GET ${path} HTTP/1.1\r\nHost: ${hostHeader}\r\n${keepAlive ? "" : "Connection: close\r\n"}\r\n`);
      });
    },
    close: () => socket.destroy(),
  };
}

/** Runs `clients` loops of requests to `base` (an http URL, or `unix:/path`) until `stop` is called. */
export function startLoad(base: string, mode: "fresh" | "keep-alive", clients: number, path = "/") {
  const endpoint = endpointOf(base);
  let stopped = false;
  const results: LoadResults = { ok: 0, failed: 0, errors: [], bodies: new Map() };
  const record = (response: { status: number; body: string }) => {
    if (response.status === 200) results.ok += 1;
    else {
      results.failed += 1;
      if (results.errors.length < 10) results.errors.push(`status ${response.status}`);
    }
    results.bodies.set(response.body, (results.bodies.get(response.body) ?? 0) + 1);
  };
  const loops = Array.from({ length: clients }, async () => {
    let conn: ReturnType<typeof openConnection> | null = null;
    while (!stopped) {
      // A connection the server closed while idle is not reused: nothing was sent on it.
      if (conn === null || conn.closed || mode === "fresh") conn = openConnection(endpoint);
      try {
        const response = await conn.request(path, mode === "keep-alive");
        record(response);
        if (mode === "fresh" || response.close) {
          conn.close();
          conn = null;
        }
      } catch (error) {
        results.failed += 1;
        if (results.errors.length < 10) results.errors.push(error instanceof Error ? error.message : String(error));
        conn?.close();
        conn = null;
      }
    }
    conn?.close();
  });
  return {
    results,
    async stop(): Promise<LoadResults> {
      stopped = true;
      await Promise.all(loops);
      return results;
    },
  };
}
