/**
 * The parts of the runtime that Bun and Node share through Node's API:
 * signals, the stdin lifeline, kill and unix sockets (Bun's `node:net` sits on
 * its own native sockets). Spawning and FFI differ and live in bun.ts/node.ts.
 */
import { createConnection, createServer, type Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { createChunkQueue } from "./chunk-queue.ts";
import type { ByteSink, ByteStream, Connection, ListenUnixOptions, Runtime, SignalName, UnixListener } from "./types.ts";

/** `process.kill` that answers false for a process that does not exist. */
export function killPid(pid: number, signal: SignalName | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return false;
    throw error;
  }
}

/** Subscribes to a signal; the returned function unsubscribes. */
export function onProcessSignal(signal: SignalName, handler: () => void): () => void {
  const listener = () => handler();
  process.on(signal, listener);
  return () => {
    process.off(signal, listener);
  };
}

/** Calls `onClosed` once when stdin ends or fails (the parent holding its other end is gone). */
export function watchProcessStdinClose(onClosed: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    onClosed();
  };
  const stdin = process.stdin;
  stdin.on("data", () => {
    // The lifeline carries no data; reading keeps the pipe drained.
  });
  stdin.once("end", once);
  stdin.once("close", once);
  stdin.once("error", once);
  stdin.resume();
}

/** Adapts a Node readable (a child's pipe) to `ByteStream`. */
export function readableToByteStream(readable: Readable): ByteStream {
  const queue = createChunkQueue(Number.MAX_SAFE_INTEGER, () => readable.destroy());
  readable.on("data", (chunk: Uint8Array) => queue.push(chunk));
  readable.once("end", () => queue.end());
  readable.once("close", () => queue.end());
  readable.once("error", () => queue.end());
  return { read: () => queue.read(), close: () => readable.destroy() };
}

/** Adapts a Node writable to `ByteSink`, resolving writes on drain. */
export function writableToByteSink(writable: Writable): ByteSink {
  return {
    write(bytes) {
      if (writable.destroyed) return Promise.reject(new Error("stream is closed"));
      if (writable.write(bytes)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onDrain = () => {
          writable.removeListener("close", onClose);
          resolve();
        };
        const onClose = () => {
          writable.removeListener("drain", onDrain);
          reject(new Error("stream closed before the write finished"));
        };
        writable.once("drain", onDrain);
        writable.once("close", onClose);
      });
    },
    end() {
      writable.end();
    },
  };
}

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

/** What Bun and Node answer alike through Node's `process`: ids, argv, env, exit, signals and sockets. */
export function nodeProcessBasics(): Pick<
  Runtime,
  "pid" | "ppid" | "args" | "cwd" | "env" | "exit" | "setExitCode" | "kill" | "onSignal" | "watchStdinClose" | "listenUnix" | "connectUnix"
> {
  return {
    pid: process.pid,
    ppid: () => process.ppid,
    // A compiled Bun binary's argv is [binary, /$bunfs/root/entry, ...args] too.
    args: process.argv.slice(2),
    cwd: () => process.cwd(),
    env: () => ({ ...process.env }) as Record<string, string>,
    exit: (code) => process.exit(code),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    kill: killPid,
    onSignal: onProcessSignal,
    watchStdinClose: watchProcessStdinClose,
    listenUnix: listenUnixNode,
    connectUnix: connectUnixNode,
  };
}
