/**
 * Pure: the last bytes of one companion stream, kept as the chunks of whole
 * lines they arrived in (one copy per chunk, none per line), with the time
 * each came; and the followers told of every new chunk. `logs` reads it
 * (docs/logging.md).
 */

/** One line out of the ring: its bytes (no newline) and when it arrived (epoch ms). */
export interface RingLine {
  time: number;
  line: Uint8Array;
}

/** Called with every chunk of whole lines appended. */
export type RingListener = (lines: Uint8Array, time: number) => void;

/** The ring of one stream. */
export interface LogRing {
  /** Keeps `lines` (whole lines, each ending with a newline); the oldest chunks go once over capacity. */
  append(lines: Uint8Array, time: number): void;
  /** The last `count` lines, oldest first. */
  tail(count: number): RingLine[];
  /** Calls `listener` on every append from now on; returns the unsubscribe. */
  follow(listener: RingListener): () => void;
  readonly bytes: number;
}

interface Entry {
  time: number;
  lines: Uint8Array;
}

/** Creates a ring keeping at most `capacity` bytes (0 keeps nothing, followers still hear). */
export function createLogRing(capacity: number): LogRing {
  let entries: Entry[] = [];
  let head = 0;
  let bytes = 0;
  const listeners = new Set<RingListener>();

  function keep(lines: Uint8Array, time: number): void {
    if (capacity <= 0) return;
    let kept = lines;
    if (kept.length > capacity) {
      // Only the tail fits: start it at a line boundary.
      const from = kept.indexOf(10, kept.length - capacity - 1);
      kept = kept.subarray(from + 1);
      if (kept.length === 0) return;
    }
    entries.push({ time, lines: kept.slice() });
    bytes += kept.length;
    while (bytes > capacity && head < entries.length) {
      bytes -= (entries[head] as Entry).lines.length;
      entries[head] = undefined as unknown as Entry;
      head++;
    }
    if (head > 64 && head * 2 > entries.length) {
      entries = entries.slice(head);
      head = 0;
    }
  }

  return {
    get bytes() {
      return bytes;
    },
    append(lines, time) {
      keep(lines, time);
      for (const listener of listeners) listener(lines, time);
    },
    tail(count) {
      const out: RingLine[] = [];
      for (let i = entries.length - 1; i >= head && out.length < count; i--) {
        const { time, lines } = entries[i] as Entry;
        // The chunk ends with a newline; walk its lines from the last one back.
        let end = lines.length - 1;
        while (end >= 0 && out.length < count) {
          const start = end === 0 ? 0 : lines.lastIndexOf(10, end - 1) + 1;
          out.push({ time, line: lines.subarray(start, end) });
          end = start - 1;
        }
      }
      return out.reverse();
    },
    follow(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
