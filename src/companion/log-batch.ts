/**
 * Gathers whole lines into writes of at least 64 KiB (or what came before
 * the next turn of the event loop): a flood read in small pieces costs one
 * write per batch, not one per read. The lines are copied once, into a
 * buffer taken from a shared pool and given back once its write is done;
 * with a prefix, the prefix goes before every line as they are copied (the
 * lines are laid at the end of the buffer and moved down with `copyWithin`,
 * so no line costs an allocation). Every write holds whole lines only, and
 * writes happen one at a time, in order.
 */
import type { LinePieces } from "./log-lines.ts";

/** Bytes gathered before a write is made at once. */
export const BATCH_BYTES = 64 * 1024;
/** Size of a pooled buffer: a batch plus room for the lines being prefixed. */
const BUFFER_BYTES = 4 * BATCH_BYTES;
/** Input laid into a buffer at a time. */
const STEP_BYTES = BATCH_BYTES;
/** Idle buffers kept for the next batch, shared by every batcher. */
const POOL_MAX = 8;
const pool: Uint8Array[] = [];

const NEWLINE = 10;

const take = (size = BUFFER_BYTES): Uint8Array => (size <= BUFFER_BYTES ? (pool.pop() ?? new Uint8Array(BUFFER_BYTES)) : new Uint8Array(size));
const give = (buffer: Uint8Array) => {
  if (buffer.length === BUFFER_BYTES && pool.length < POOL_MAX) pool.push(buffer);
};

/** A batching writer. */
export interface Batcher {
  /** Adds whole lines; returns the write's promise when this filled a batch (await it to slow down with the writer). */
  push(pieces: LinePieces): Promise<void> | undefined;
  /** Writes what is gathered; resolves once every write so far is done. */
  flush(): Promise<void>;
}

/**
 * Creates a batcher over `write` (which may be synchronous; the bytes are the
 * batcher's again once it returns or resolves); a failed write is `write`'s to
 * report. With `prefix`, every line is written after it.
 */
export function createBatcher(write: (bytes: Uint8Array) => void | Promise<void>, prefix: Uint8Array | null = null, maxBytes = BATCH_BYTES): Batcher {
  /** The buffer being filled (null when nothing is gathered: an idle member holds no buffer). */
  let buf: Uint8Array | null = null;
  /** Bytes of output in `buf`, and where its last whole line ends. */
  let to = 0;
  let lineEnd = 0;
  /** The next byte of input starts a line (it gets the prefix). */
  let atLineStart = true;
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();

  /**
   * Hands the whole lines gathered to the writer. The partial line (if any)
   * and the `keep` bytes of input at the buffer's end move to a new buffer
   * with `room` to spare; with none of those, no buffer is held.
   */
  function send(keep = 0, room = 0): void {
    const full = buf as Uint8Array;
    const rest = to - lineEnd;
    if (rest + room + keep === 0) buf = null;
    else {
      const next = take(rest + room + keep > BUFFER_BYTES ? 2 * (rest + room + keep) : BUFFER_BYTES);
      if (rest > 0) next.set(full.subarray(lineEnd, to));
      if (keep > 0) next.set(full.subarray(full.length - keep), next.length - keep);
      buf = next;
    }
    to = rest;
    if (lineEnd === 0) return;
    const out = full.subarray(0, lineEnd);
    lineEnd = 0;
    writing = writing
      .then(() => write(out))
      .catch(() => {})
      .then(() => give(full));
  }

  /** Copies input as it is (no prefix). */
  function copyPlain(input: Uint8Array): void {
    if (to + input.length > (buf as Uint8Array).length) send(0, input.length);
    const out = buf as Uint8Array;
    out.set(input, to);
    const last = input.lastIndexOf(NEWLINE);
    if (last !== -1) lineEnd = to + last + 1;
    to += input.length;
  }

  /** Copies input with the prefix before each line: laid at the buffer's end, moved down line by line. */
  function copyPrefixed(input: Uint8Array, prefix: Uint8Array): void {
    if (to + input.length + prefix.length > (buf as Uint8Array).length) send(0, input.length + prefix.length);
    let out = buf as Uint8Array;
    let from = out.length - input.length;
    out.set(input, from);
    while (from < out.length) {
      const newline = out.indexOf(NEWLINE, from);
      const stop = newline === -1 ? out.length : newline + 1;
      if (atLineStart) {
        if (to + prefix.length > from) {
          // Out of room before the unread input: write what is whole and go on in a new buffer.
          const keep = out.length - from;
          send(keep, prefix.length);
          out = buf as Uint8Array;
          from = out.length - keep;
          continue;
        }
        out.set(prefix, to);
        to += prefix.length;
      }
      const end = newline === -1 ? out.length : stop;
      out.copyWithin(to, from, end);
      to += end - from;
      from = end;
      atLineStart = newline !== -1;
      if (atLineStart) lineEnd = to;
    }
  }

  const flush = (): Promise<void> => {
    // Once written, the buffer goes back to the pool: an idle member holds none.
    if (buf !== null && lineEnd > 0) send();
    return writing;
  };

  return {
    push(pieces) {
      if (buf === null) buf = take();
      for (const piece of pieces) {
        for (let at = 0; at < piece.length; at += STEP_BYTES) {
          const input = at === 0 && piece.length <= STEP_BYTES ? piece : piece.subarray(at, at + STEP_BYTES);
          if (prefix === null) copyPlain(input);
          else copyPrefixed(input, prefix);
        }
      }
      if (lineEnd >= maxBytes) return flush();
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
