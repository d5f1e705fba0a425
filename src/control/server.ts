/**
 * The control socket server: reads NDJSON requests on each connection,
 * answers them in order through a table of handlers, and never lets a client
 * (slow, silent, hostile or numerous) hold up anyone else: every connection is
 * its own async loop and an exception ends at most that connection; the
 * limits on clients are in clients.ts.
 */
import { errorMessage } from "../errors.ts";
import type { UnixSockets, ProcessInfo, ProcessLifetime } from "../runtime/index.ts";
import { createSystemClock, type Clock, type TimerHandle } from "../supervise/clock.ts";
import { createClientTable, type StreamingReply } from "./clients.ts";
import { connectionsUnder, openFileLimit } from "./fd-limit.ts";
import { MAX_LINE_BYTES } from "./lines.ts";
import { encodeReply, type ErrorReply, type Reply, type Request } from "./protocol.ts";
import { decodeRequest } from "./requests.ts";
import { bindSocket, type BoundSocket } from "./socket-path.ts";

/** Connections served at once (fewer under a low open-file limit, see fd-limit.ts); past it the connection idle the longest is closed to let a new one in. */
export const MAX_CONNECTIONS = 2048;

/** Input one connection may hold: a partial line and the requests waiting for their answers. */
export const MAX_BUFFERED_BYTES = 2 * MAX_LINE_BYTES;

/** Input all connections together may hold (64 MiB); past it the connection holding the most is closed. */
export const MAX_TOTAL_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Seconds an idle connection stays open when companion_control_idle_timeout is not set. */
export const DEFAULT_IDLE_TIMEOUT_SECS = 60;

const COLLECT_INTERVAL_MS = 1000;

export type { StreamingReply } from "./clients.ts";

/** Handles one validated request. May take long (`wait: true`); only its own connection waits. A reply may come encoded already (a cached line), or as a stream. */
export type RequestHandler = (request: Request) => Promise<Reply | Uint8Array | StreamingReply>;

/** Options of `startControlServer`. */
export interface ControlServerOptions {
  path: string;
  mode: number;
  handle: RequestHandler;
  onError?: (message: string) => void;
  /** companion_control_idle_timeout, read at each idle period (a reread may change it). */
  idleTimeoutSecs?: () => number;
  clock?: Clock;
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

/** Binds the socket (mode set before anyone can connect) and serves it. */
export async function startControlServer(runtime: UnixSockets & Pick<ProcessInfo, "pid"> & Pick<ProcessLifetime, "collectGarbage">, options: ControlServerOptions): Promise<ControlServer> {
  const clock = options.clock ?? createSystemClock();
  // What connections that held much input leave is garbage (the manager runs
  // without a GC timer): collected at once, then at most once a second while
  // they keep ending, and once more after the last.
  let collecting: TimerHandle | null = null;
  let endedSince = false;
  const collectSoon = () => {
    if (collecting !== null) {
      endedSince = true;
      return;
    }
    collecting = clock.setTimer(() => {
      runtime.collectGarbage();
      collecting = clock.setTimer(() => {
        collecting = null;
        if (endedSince) {
          endedSince = false;
          collectSoon();
        }
      }, COLLECT_INTERVAL_MS);
    }, 0);
  };
  const table = createClientTable(
    (line) => answer(line, options.handle),
    {
      maxConnections: connectionsUnder(MAX_CONNECTIONS, openFileLimit()),
      maxBytesPerConnection: MAX_BUFFERED_BYTES,
      maxTotalBytes: MAX_TOTAL_BUFFERED_BYTES,
      idleTimeoutSecs: options.idleTimeoutSecs ?? (() => DEFAULT_IDLE_TIMEOUT_SECS),
    },
    clock,
    { onError: options.onError, onRelease: collectSoon },
  );
  // The runtime's own cap per connection stays as a backstop: the table reads eagerly, so it is not reached.
  // Out of descriptors (where the limit could not be read to size the table): the longest idle goes.
  const bound: BoundSocket = await bindSocket(runtime, options.path, options.mode, (conn) => table.accept(conn), MAX_BUFFERED_BYTES, () => table.makeRoom());
  return {
    close() {
      bound.release();
      table.closeAll();
    },
  };
}
