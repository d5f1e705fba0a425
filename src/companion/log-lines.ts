/**
 * Pure: companion output as bytes cut at line ends (docs/logging.md). A
 * chunk is scanned once from its end (`lastIndexOf(10)`) and passed on as
 * views: the whole lines it completes are a partial line held from before
 * (if any) and the chunk up to its last newline. Nothing is copied but the
 * partial last line, into a buffer the cutter reuses, and no per-line work
 * is done here. A partial line is held until its newline comes, the stream
 * ends, or it grows past the cap (then it is cut there).
 */

const NEWLINE = 10;

/** The newline the cutter adds to a line cut at the cap or at the end of the stream. */
const ADDED_NEWLINE = Uint8Array.of(NEWLINE);

/** A held partial line longer than this is cut and passed on as a line of its own. */
export const MAX_LOG_LINE_BYTES = 64 * 1024;

/**
 * The pieces of some whole lines, in order: together they are one or more
 * lines each ending with a newline (a line may span two pieces). They are
 * views, valid until the next push or flush: a consumer copies what it keeps.
 */
export type LinePieces = readonly Uint8Array[];

/** Cuts a byte stream into whole lines. */
export interface LineCutter {
  /** The whole lines `chunk` completes, as pieces; empty when it completed none. */
  push(chunk: Uint8Array): LinePieces;
  /** The held partial line with a newline added (end of stream); empty when none is held. */
  flush(): LinePieces;
}

/** Creates a cutter; `maxLine` bounds the partial line it holds. */
export function createLineCutter(maxLine = MAX_LOG_LINE_BYTES): LineCutter {
  // Two hold buffers taking turns: the pieces handed out may view one while the new partial line goes to the other.
  let hold = new Uint8Array(256);
  let spare = new Uint8Array(256);
  let held = 0;
  const pieces: Uint8Array[] = [];

  const keep = (bytes: Uint8Array) => {
    if (held + bytes.length > hold.length) {
      const grown = new Uint8Array(Math.max(hold.length * 2, held + bytes.length));
      grown.set(hold.subarray(0, held));
      hold = grown;
    }
    hold.set(bytes, held);
    held += bytes.length;
  };

  return {
    push(chunk) {
      pieces.length = 0;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        if (held + chunk.length < maxLine) {
          keep(chunk);
          return pieces;
        }
        if (held > 0) pieces.push(hold.subarray(0, held));
        pieces.push(chunk, ADDED_NEWLINE);
        held = 0;
        return pieces;
      }
      if (held > 0) pieces.push(hold.subarray(0, held));
      pieces.push(chunk.subarray(0, last + 1));
      [hold, spare] = [spare, hold];
      held = 0;
      // A copy: the runtime may reuse the chunk's memory.
      if (last + 1 < chunk.length) keep(chunk.subarray(last + 1));
      return pieces;
    },
    flush() {
      pieces.length = 0;
      if (held === 0) return pieces;
      pieces.push(hold.subarray(0, held), ADDED_NEWLINE);
      held = 0;
      [hold, spare] = [spare, hold];
      return pieces;
    },
  };
}

/** How many lines a chunk of whole lines holds. */
export function countLines(lines: Uint8Array): number {
  let count = 0;
  for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) count++;
  return count;
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
