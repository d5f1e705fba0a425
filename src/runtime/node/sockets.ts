/**
 * Unix sockets on node:net as the runtime's connections (the Node runtime
 * only; Bun has its own in bun/sockets.ts).
 */
import { createConnection, createServer, type Socket } from "node:net";
import { createChunkQueue } from "../chunk-queue.ts";
import type { Connection, ListenUnixOptions, UnixListener } from "../types.ts";
import { writableToByteSink } from "./streams.ts";

function socketToConnection(socket: Socket, maxBufferedBytes: number): Connection {
  const queue = createChunkQueue(maxBufferedBytes, () => socket.destroy());
  socket.on("data", (chunk: Uint8Array) => queue.push(chunk));
  socket.once("end", () => queue.end());
  socket.once("close", () => queue.end());
  // A reset by the peer is an ordinary end of this connection, not our error.
  socket.on("error", () => queue.end());
  const sink = writableToByteSink(socket);
  return {
    read: () => queue.read(),
    write: (bytes) => sink.write(bytes),
    end: () => socket.end(),
    close: () => socket.destroy(),
  };
}

/** Listens on a unix socket path; each accepted connection is handed to `onConnection`. */
export function listenUnixNode(
  path: string,
  onConnection: (conn: Connection) => void,
  options: ListenUnixOptions,
): Promise<UnixListener> {
  // allowHalfOpen: a client such as `socat` shuts down its writing side after
  // the request and still expects the reply.
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    onConnection(socketToConnection(socket, options.maxBufferedBytes));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.removeListener("error", reject);
      server.on("error", () => {
        // Accept errors (EMFILE) affect one connection; the listener stays up.
        options.onAcceptFailed?.();
      });
      resolve({
        path,
        close: () => {
          server.close();
        },
      });
    });
  });
}

/** Connects to a unix socket path. */
export function connectUnixNode(path: string): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path, allowHalfOpen: true });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.removeListener("error", reject);
      resolve(socketToConnection(socket, Number.MAX_SAFE_INTEGER));
    });
  });
}

