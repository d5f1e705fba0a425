/**
 * Gathers chunks of whole lines into writes of up to 64 KiB: a flood read
 * in small pieces costs one write per 64 KiB, not one per read. What is
 * gathered goes out at the latest on the next turn of the event loop, and
 * writes happen one at a time, in order.
 */

/** Bytes gathered before a write is made at once. */
export const BATCH_BYTES = 64 * 1024;

/** A batching writer. */
export interface Batcher {
  /** Adds whole lines; returns the write's promise when this filled a batch (await it to slow down with the writer). */
  push(lines: Uint8Array): Promise<void> | undefined;
  /** Writes what is gathered; resolves once every write so far is done. */
  flush(): Promise<void>;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Creates a batcher over `write` (which may be synchronous); a failed write is `write`'s to report. */
export function createBatcher(write: (bytes: Uint8Array) => void | Promise<void>, maxBytes = BATCH_BYTES): Batcher {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (bytes === 0) return writing;
    const out = concat(parts, bytes);
    parts = [];
    bytes = 0;
    writing = writing.then(() => write(out)).catch(() => {});
    return writing;
  };

  return {
    push(lines) {
      parts.push(lines);
      bytes += lines.length;
      if (bytes >= maxBytes) return flush();
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          void flush();
        });
      }
      return undefined;
    },
    flush,
  };
}
