/**
 * Newline-delimited framing over a byte stream: splits chunks into lines
 * across chunk boundaries and enforces a cap on the length of one line.
 */
import { concatBytes } from "../bytes.ts";

/** The longest request line accepted (1 MiB); a longer one closes its connection. */
export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** What one chunk yielded: complete lines, and whether the pending line grew past the cap. */
export interface SplitResult {
  lines: Uint8Array[];
  overflow: boolean;
}

/** A stateful splitter; `push` each chunk, `flush` at end of stream for a last line without newline. */
export interface LineSplitter {
  push(chunk: Uint8Array): SplitResult;
  flush(): Uint8Array | null;
  /** Bytes of the line not yet complete, held until its newline comes. */
  readonly pendingBytes: number;
}

function trimCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
}

/** Creates a splitter whose lines (without "\n" or "\r\n") may be at most `maxLineBytes` long. */
export function createLineSplitter(maxLineBytes = MAX_LINE_BYTES): LineSplitter {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  return {
    push(chunk) {
      const lines: Uint8Array[] = [];
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(NEWLINE, start);
        if (newline === -1) break;
        const piece = chunk.subarray(start, newline);
        if (pendingBytes + piece.length > maxLineBytes) return { lines, overflow: true };
        lines.push(trimCarriageReturn(concatBytes([...pending, piece], pendingBytes + piece.length)));
        pending = [];
        pendingBytes = 0;
        start = newline + 1;
      }
      const rest = chunk.subarray(start);
      if (rest.length > 0) {
        // A copy when the piece is a small view of a larger buffer (a runtime's
        // read buffer): held on its own it would keep the whole buffer alive.
        // Otherwise the chunk itself: every runtime adapter hands out chunks
        // it never reuses (Bun's are copied in runtime/bun/sockets.ts).
        pending.push(rest.byteLength * 2 < rest.buffer.byteLength ? rest.slice() : rest);
        pendingBytes += rest.length;
      }
      return { lines, overflow: pendingBytes > maxLineBytes };
    },
    flush() {
      if (pendingBytes === 0) return null;
      const line = trimCarriageReturn(concatBytes(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
      return line;
    },
    get pendingBytes() {
      return pendingBytes;
    },
  };
}
