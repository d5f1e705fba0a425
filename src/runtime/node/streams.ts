/** Node's readable and writable streams (a child's pipes, a socket) as the runtime's byte streams. */
import type { Readable, Writable } from "node:stream";
import { createChunkQueue } from "../chunk-queue.ts";
import type { ByteSink, ByteStream } from "../types.ts";

/** Unread bytes past which a child's pipe is paused until the reader catches up (the child then waits, as on a full pipe). */
const PAUSE_ABOVE_BYTES = 1024 * 1024;

/** Adapts a Node readable (a child's pipe) to `ByteStream`; a reader slower than the child pauses the pipe. */
export function readableToByteStream(readable: Readable): ByteStream {
  const queue = createChunkQueue(Number.MAX_SAFE_INTEGER, () => readable.destroy());
  readable.on("data", (chunk: Uint8Array) => {
    queue.push(chunk);
    if (queue.bufferedBytes > PAUSE_ABOVE_BYTES) readable.pause();
  });
  readable.once("end", () => queue.end());
  readable.once("close", () => queue.end());
  readable.once("error", () => queue.end());
  return {
    read() {
      const next = queue.read();
      if (readable.isPaused() && queue.bufferedBytes <= PAUSE_ABOVE_BYTES / 2) readable.resume();
      return next;
    },
    close: () => readable.destroy(),
  };
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
