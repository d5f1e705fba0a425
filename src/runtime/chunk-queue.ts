/**
 * Turns a push-style byte source (Bun and Node sockets and pipes call us with
 * chunks) into the pull-style `read()` every role uses. The queue holds at most
 * `maxBufferedBytes` unread bytes; past that `onOverflow` runs (the owner
 * closes the connection), so a client that floods us cannot grow our memory.
 */
export interface ChunkQueue {
  push(chunk: Uint8Array): void;
  /** End of stream: pending and later reads resolve null once the queue is drained. */
  end(): void;
  read(): Promise<Uint8Array | null>;
  readonly bufferedBytes: number;
}

/** Creates a bounded chunk queue. */
export function createChunkQueue(maxBufferedBytes: number, onOverflow: () => void): ChunkQueue {
  const chunks: Uint8Array[] = [];
  let buffered = 0;
  let ended = false;
  let waiter: ((chunk: Uint8Array | null) => void) | null = null;

  return {
    push(chunk) {
      if (ended || chunk.length === 0) return;
      if (waiter !== null) {
        const resolve = waiter;
        waiter = null;
        resolve(chunk);
        return;
      }
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered > maxBufferedBytes) {
        // Drop what we hold before handing control to the owner: the
        // connection is being closed for abuse and nothing more will be read.
        chunks.length = 0;
        buffered = 0;
        ended = true;
        onOverflow();
      }
    },
    end() {
      ended = true;
      if (waiter !== null && chunks.length === 0) {
        const resolve = waiter;
        waiter = null;
        resolve(null);
      }
    },
    read() {
      const next = chunks.shift();
      if (next !== undefined) {
        buffered -= next.length;
        return Promise.resolve(next);
      }
      if (ended) return Promise.resolve(null);
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    get bufferedBytes() {
      return buffered;
    },
  };
}
