/**
 * The control socket server: reads NDJSON requests on each connection,
 * answers them in order through a table of handlers, and never lets a client
 * (slow, silent, hostile or numerous) hold up anyone else: every connection is
 * its own async loop and an exception ends at most that connection.
 */
import { errorMessage } from "../errors.ts";
import type { Connection, UnixSockets, ProcessInfo } from "../runtime/index.ts";
import { createLineSplitter, MAX_LINE_BYTES } from "./lines.ts";
import { encodeReply, type ErrorReply, type Reply, type Request } from "./protocol.ts";
import { decodeRequest } from "./requests.ts";
import { bindSocket, type BoundSocket } from "./socket-path.ts";

/** Connections served at once; more are told so and closed. */
export const MAX_CONNECTIONS = 2048;

/** Unread bytes a connection may pile up while its previous request is being answered. */
export const MAX_BUFFERED_BYTES = 2 * MAX_LINE_BYTES;

/**
 * A reply that goes on until the client closes (`logs` with `follow`): the
 * connection carries nothing else from then on.
 */
export interface StreamingReply {
  /** Sent first (the lines already kept). */
  readonly head: Uint8Array;
  /** The next bytes to send, once there are some; null when the stream is over. */
  next(): Promise<Uint8Array | null>;
  /** The client is gone: stop producing. */
  close(): void;
}

/** Handles one validated request. May take long (`wait: true`); only its own connection waits. A reply may come encoded already (a cached line), or as a stream. */
export type RequestHandler = (request: Request) => Promise<Reply | Uint8Array | StreamingReply>;

/** Options of `startControlServer`. */
export interface ControlServerOptions {
  path: string;
  mode: number;
  handle: RequestHandler;
  onError?: (message: string) => void;
}

/** A running control server. */
export interface ControlServer {
  /** Stop accepting, close every connection, remove the socket file. */
  close(): void;
}

function withId(reply: Reply, request: { id?: string | number }): Reply {
  return request.id === undefined ? reply : { ...reply, id: request.id };
}

const isStreaming = (reply: Reply | StreamingReply): reply is StreamingReply => "next" in reply && typeof reply.next === "function";

async function answer(line: Uint8Array, handle: RequestHandler): Promise<Uint8Array | StreamingReply> {
  const decoded = decodeRequest(line);
  if (!decoded.ok) return encodeReply(decoded.reply);
  try {
    const reply = await handle(decoded.request);
    if (reply instanceof Uint8Array || isStreaming(reply)) return reply;
    return encodeReply(withId(reply, decoded.request));
  } catch (error) {
    const reply: ErrorReply = { ok: false, error: `internal error: ${errorMessage(error)}` };
    return encodeReply(withId(reply, decoded.request));
  }
}

/**
 * Sends a streaming reply until it ends or the client goes. Every write is
 * awaited (the socket's own backpressure), so a client that does not read
 * holds up its stream only: what piles up meanwhile is the stream's to drop.
 */
async function stream(conn: Connection, reply: StreamingReply): Promise<void> {
  // Reading is how a close is seen: whatever the client sends now is ignored.
  const gone = (async () => {
    try {
      while ((await conn.read()) !== null) {}
    } catch {
      // closed
    }
    return null;
  })();
  try {
    await conn.write(reply.head);
    for (let bytes = await Promise.race([reply.next(), gone]); bytes !== null; bytes = await Promise.race([reply.next(), gone])) {
      await conn.write(bytes);
    }
  } finally {
    reply.close();
    conn.close();
  }
}

async function serveConnection(conn: Connection, handle: RequestHandler): Promise<void> {
  const splitter = createLineSplitter(MAX_LINE_BYTES);
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) break;
    const { lines, overflow } = splitter.push(chunk);
    for (const line of lines) {
      if (line.length === 0) continue;
      const reply = await answer(line, handle);
      if (!(reply instanceof Uint8Array)) return stream(conn, reply);
      await conn.write(reply);
    }
    if (overflow) {
      await conn.write(encodeReply({ ok: false, error: `request line longer than ${MAX_LINE_BYTES} bytes; closing the connection` }));
      conn.close();
      return;
    }
  }
  // A client may send its last request without a newline and then shut down its side.
  const last = splitter.flush();
  if (last !== null && last.length > 0) {
    const reply = await answer(last, handle);
    // A follow from a client that already closed its side has no one to follow for.
    if (reply instanceof Uint8Array) await conn.write(reply);
    else reply.close();
  }
  conn.end();
}

/** Binds the socket (mode set before anyone can connect) and serves it. */
export async function startControlServer(runtime: UnixSockets & Pick<ProcessInfo, "pid">, options: ControlServerOptions): Promise<ControlServer> {
  const open = new Set<Connection>();
  const onConnection = (conn: Connection) => {
    if (open.size >= MAX_CONNECTIONS) {
      conn
        .write(encodeReply({ ok: false, error: `too many connections (${MAX_CONNECTIONS}); try again later` }))
        .finally(() => conn.close())
        .catch(() => {});
      return;
    }
    open.add(conn);
    serveConnection(conn, options.handle)
      .catch((error) => {
        // A peer that vanished mid-write ends its own connection only.
        options.onError?.(`control connection closed: ${errorMessage(error)}`);
        conn.close();
      })
      .finally(() => open.delete(conn));
  };
  const bound: BoundSocket = await bindSocket(runtime, options.path, options.mode, onConnection, MAX_BUFFERED_BYTES);
  return {
    close() {
      bound.release();
      for (const conn of open) conn.close();
      open.clear();
    },
  };
}
