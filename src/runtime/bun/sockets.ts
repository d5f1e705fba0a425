/**
 * Unix sockets on Bun's own `Bun.listen`/`Bun.connect`: no `node:net`, which
 * costs Bun ~15 ms to load, a third of a ctl call's budget. Bun's sockets push
 * data at us and report how much of a write went out; this adapts them to the
 * pull `read()` and awaited `write()` every role uses.
 */
import { createChunkQueue, type ChunkQueue } from "../chunk-queue.ts";
import type { Connection, ListenUnixOptions, UnixListener } from "../types.ts";

/** Per-socket state: unread data and unsent data. */
interface SocketState {
  queue: ChunkQueue;
  pending: Uint8Array | null;
  flushed: Array<{ resolve: () => void; reject: (error: Error) => void }>;
  endAfterFlush: boolean;
  closed: boolean;
}

type BunSocket = Bun.Socket<SocketState>;

function createState(maxBufferedBytes: number, onOverflow: () => void): SocketState {
  return { queue: createChunkQueue(maxBufferedBytes, onOverflow), pending: null, flushed: [], endAfterFlush: false, closed: false };
}

/** Writes as much of the pending bytes as the socket takes; settles writers once all is out. */
function flush(socket: BunSocket): void {
  const state = socket.data;
  while (state.pending !== null) {
    const written = socket.write(state.pending);
    if (written < 0) return fail(state, new Error("socket closed"));
    if (written < state.pending.length) {
      state.pending = state.pending.subarray(written);
      return; // the rest goes on `drain`
    }
    state.pending = null;
  }
  for (const waiter of state.flushed.splice(0)) waiter.resolve();
  if (state.endAfterFlush) halfClose(socket);
}

/** Sends FIN and keeps reading (Bun's `end()` would close both directions). */
function halfClose(socket: BunSocket): void {
  socket.shutdown();
}

function fail(state: SocketState, error: Error): void {
  state.closed = true;
  state.pending = null;
  state.queue.end();
  for (const waiter of state.flushed.splice(0)) waiter.reject(error);
}

function toConnection(socket: BunSocket): Connection {
  const state = socket.data;
  return {
    read: () => state.queue.read(),
    write(bytes) {
      if (state.closed) return Promise.reject(new Error("socket closed"));
      state.pending = state.pending === null ? bytes : concat(state.pending, bytes);
      const done = new Promise<void>((resolve, reject) => state.flushed.push({ resolve, reject }));
      flush(socket);
      return done;
    },
    end() {
      if (state.closed) return;
      state.endAfterFlush = true;
      if (state.pending === null) halfClose(socket);
    },
    close() {
      if (state.closed) return;
      fail(state, new Error("socket closed"));
      socket.terminate();
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

const handlers = {
  binaryType: "uint8array" as const,
  data(socket: BunSocket, data: Uint8Array) {
    // Bun may reuse the buffer once we return: keep a copy.
    socket.data.queue.push(data.slice());
  },
  drain(socket: BunSocket) {
    flush(socket);
  },
  end(socket: BunSocket) {
    socket.data.queue.end();
  },
  close(socket: BunSocket) {
    fail(socket.data, new Error("socket closed"));
  },
  error(socket: BunSocket) {
    fail(socket.data, new Error("socket error"));
  },
};

/** Listens on a unix socket path with Bun.listen. */
export async function listenUnixBun(path: string, onConnection: (conn: Connection) => void, options: ListenUnixOptions): Promise<UnixListener> {
  const listener = Bun.listen<SocketState>({
    unix: path,
    // A client such as `socat` shuts down its writing side after the request and still expects the reply.
    allowHalfOpen: true,
    socket: {
      ...handlers,
      open(socket) {
        socket.data = createState(options.maxBufferedBytes, () => socket.terminate());
        onConnection(toConnection(socket));
      },
    },
  });
  return {
    path,
    close: () => listener.stop(true),
  };
}

/** Connects to a unix socket path with Bun.connect. */
export async function connectUnixBun(path: string): Promise<Connection> {
  const state = createState(Number.MAX_SAFE_INTEGER, () => {});
  const socket = await Bun.connect<SocketState>({ unix: path, allowHalfOpen: true, data: state, socket: handlers });
  return toConnection(socket);
}
