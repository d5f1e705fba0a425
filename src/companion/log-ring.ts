/**
 * Pure: the last bytes of one companion stream (docs/logging.md), kept raw
 * in a circular byte buffer: an append is one copy into it, with no per-line
 * work; line boundaries are found only when `logs` asks (a backward scan from
 * the end). Each append also marks when its bytes came (one mark per append,
 * or per millisecond). Followers get each append as one chunk of whole lines,
 * copied only when there are followers.
 */
import { concatBytes } from "../bytes.ts";
import type { LinePieces } from "./log-lines.ts";

/** One line out of the ring: its bytes (no newline) and when it arrived (epoch ms). */
export interface RingLine {
  time: number;
  line: Uint8Array;
}

/** Called with every chunk of whole lines appended (the listener may keep it). */
export type RingListener = (lines: Uint8Array, time: number) => void;

/** The ring of one stream. */
export interface LogRing {
  /** Keeps whole lines (pieces that end with a newline); the oldest bytes go once over capacity. */
  append(pieces: LinePieces, time: number): void;
  /** The last `count` lines that are whole within the kept bytes, oldest first. */
  tail(count: number): RingLine[];
  /** Calls `listener` on every append from now on; returns the unsubscribe. */
  follow(listener: RingListener): () => void;
  /** Bytes kept. */
  readonly bytes: number;
}

const NEWLINE = 10;
/** The buffer starts this small and doubles up to the capacity as output comes (a quiet member costs little). */
const FIRST_BYTES = 4096;

/** Creates a ring keeping the last `capacity` bytes (0 keeps nothing, followers still hear). */
export function createLogRing(capacity: number): LogRing {
  // One byte more than the capacity: the byte before the oldest kept one says whether a line starts there.
  const most = capacity + 1;
  let buf = new Uint8Array(0);
  /** Bytes ever appended; byte `a` of the stream lives at buf[a % buf.length] while kept. */
  let end = 0;
  // Marks: the stream offset where each append ended, and when it came.
  let ends: number[] = [];
  let times: number[] = [];
  let head = 0;
  const listeners = new Set<RingListener>();

  /** Copies `bytes` in as stream bytes [at, at + length) (at most buf.length of them). */
  function put(bytes: Uint8Array, at: number): void {
    const pos = at % buf.length;
    const first = Math.min(bytes.length, buf.length - pos);
    buf.set(first === bytes.length ? bytes : bytes.subarray(0, first), pos);
    if (first < bytes.length) buf.set(bytes.subarray(first), 0);
  }

  /** Stream bytes [from, to) (all still kept) into a new buffer. */
  function copy(from: number, to: number): Uint8Array {
    const out = new Uint8Array(to - from);
    const pos = from % buf.length;
    const first = Math.min(out.length, buf.length - pos);
    out.set(buf.subarray(pos, pos + first));
    if (first < out.length) out.set(buf.subarray(0, out.length - first), first);
    return out;
  }

  /** The offset of the last newline in stream bytes [from, to), or -1. */
  function lastNewline(from: number, to: number): number {
    let hi = to;
    while (hi > from) {
      const lap = hi - 1 - ((hi - 1) % buf.length);
      const low = Math.max(from, lap);
      const found = buf.lastIndexOf(NEWLINE, hi - 1 - lap);
      if (found !== -1 && lap + found >= low) return lap + found;
      hi = low;
    }
    return -1;
  }

  function grow(need: number): void {
    const size = Math.min(most, Math.max(buf.length * 2, FIRST_BYTES, need));
    const kept = Math.min(end, buf.length);
    const old = kept === 0 ? null : copy(end - kept, end);
    buf = new Uint8Array(size);
    if (old !== null) put(old, end - kept);
  }

  function keep(pieces: LinePieces, time: number): void {
    for (const piece of pieces) {
      const need = end + piece.length;
      if (need > buf.length && buf.length < most) grow(need);
      // Only the last buf.length bytes of a long piece can stay.
      const skip = Math.max(0, piece.length - buf.length);
      put(skip === 0 ? piece : piece.subarray(skip), end + skip);
      end += piece.length;
    }
    const last = ends.length - 1;
    if (last >= head && times[last] === time) ends[last] = end;
    else {
      ends.push(end);
      times.push(time);
    }
    // Marks of appends that ended before the kept bytes are no longer needed.
    const oldest = end - capacity;
    while (head < ends.length && (ends[head] as number) <= oldest) head++;
    if (head > 64 && head * 2 > ends.length) {
      ends = ends.slice(head);
      times = times.slice(head);
      head = 0;
    }
  }

  return {
    get bytes() {
      return Math.min(end, capacity);
    },
    append(pieces, time) {
      if (capacity > 0) keep(pieces, time);
      if (listeners.size === 0) return;
      // A copy: the pieces are views the cutter reuses (concatBytes hands a sole piece back as it is).
      const lines = pieces.length === 1 ? (pieces[0] as Uint8Array).slice() : concatBytes(pieces);
      for (const listener of listeners) listener(lines, time);
    },
    tail(count) {
      const out: RingLine[] = [];
      if (capacity <= 0 || end === 0) return out;
      const oldest = Math.max(0, end - capacity);
      let mark = ends.length - 1;
      // The kept bytes end with a newline; walk the lines from the last one back.
      let lineEnd = end - 1;
      while (out.length < count) {
        const before = lastNewline(Math.max(0, oldest - 1), lineEnd);
        // A line that starts before the kept bytes is not whole: it is not given.
        if (before === -1 && oldest > 0) break;
        while (mark > head && (ends[mark - 1] as number) > lineEnd) mark--;
        out.push({ time: times[mark] as number, line: copy(before + 1, lineEnd) });
        if (before < oldest) break;
        lineEnd = before;
      }
      return out.reverse();
    },
    follow(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
