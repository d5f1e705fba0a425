/**
 * Pure: companion output as bytes cut at line ends (docs/logging.md). Chunks
 * are scanned natively (`indexOf(10)` on the bytes) and passed on as slices;
 * no string is built per line. A partial last line is held until its newline
 * comes, the stream ends, or it grows past the cap (then it is cut there).
 */

const NEWLINE = 10;

/** A held partial line longer than this is cut and passed on as a line of its own. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/** Cuts a byte stream into chunks of whole lines. */
export interface LineCutter {
  /** The whole lines `chunk` completes (each ending with a newline), or null when it completed none. */
  push(chunk: Uint8Array): Uint8Array | null;
  /** The held partial line with a newline added (end of stream), or null. */
  flush(): Uint8Array | null;
}

function concat(a: Uint8Array, b: Uint8Array, newline = false): Uint8Array {
  const out = new Uint8Array(a.length + b.length + (newline ? 1 : 0));
  out.set(a, 0);
  out.set(b, a.length);
  if (newline) out[out.length - 1] = NEWLINE;
  return out;
}

/** Creates a cutter; `maxLine` bounds the partial line it holds. */
export function createLineCutter(maxLine = MAX_LOG_LINE_BYTES): LineCutter {
  let held: Uint8Array = new Uint8Array(0);
  return {
    push(chunk) {
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        held = concat(held, chunk);
        if (held.length < maxLine) return null;
        const cut = concat(held, new Uint8Array(0), true);
        held = new Uint8Array(0);
        return cut;
      }
      const whole = held.length === 0 ? chunk.subarray(0, last + 1) : concat(held, chunk.subarray(0, last + 1));
      // A copy: the runtime may reuse the chunk's memory.
      held = chunk.slice(last + 1);
      return whole;
    },
    flush() {
      if (held.length === 0) return null;
      const rest = concat(held, new Uint8Array(0), true);
      held = new Uint8Array(0);
      return rest;
    },
  };
}

/** How many lines a chunk of whole lines holds. */
export function countLines(lines: Uint8Array): number {
  let count = 0;
  for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/** `lines` (whole lines) with `prefix` before each one, in one new buffer. */
export function prefixLines(lines: Uint8Array, prefix: Uint8Array): Uint8Array {
  const out = new Uint8Array(lines.length + countLines(lines) * prefix.length);
  let from = 0;
  let to = 0;
  for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, from)) {
    out.set(prefix, to);
    to += prefix.length;
    out.set(lines.subarray(from, at + 1), to);
    to += at + 1 - from;
    from = at + 1;
  }
  return out;
}

/** Each line of a chunk of whole lines, without its newline (views, not copies). */
export function* eachLine(lines: Uint8Array): Generator<Uint8Array> {
  let from = 0;
  for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, from)) {
    yield lines.subarray(from, at);
    from = at + 1;
  }
}

const COLOURS = [36, 33, 32, 35, 34, 31, 96, 93, 92, 95, 94, 91];

/** The prefix of a member's lines: its name padded to `width`, coloured when asked (one colour per name). */
export function linePrefix(name: string, width: number, colour: boolean): string {
  const padded = `${name.padEnd(width)} | `;
  if (!colour) return padded;
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return `\u001b[${COLOURS[hash % COLOURS.length]}m${name.padEnd(width)} |\u001b[0m `;
}
