/**
 * The queue between a followed stream and one follower's socket
 * (docs/logging.md): it holds at most `maxBytes`; past that, new lines are
 * counted and dropped, not encoded, until the writer takes what is queued,
 * and the follower is then told `{"dropped":N}` where they went missing. The
 * companion and the manager never wait for a follower.
 */
import { concatBytes } from "../bytes.ts";
import { encodeDropped } from "./protocol.ts";

/** A bounded queue of encoded lines for one follower. */
export interface FollowQueue {
  /** Queues `count` lines (encoded only when there is room), or drops them. */
  offer(count: number, encode: () => Uint8Array): void;
  /** Everything queued (with the dropped notice after it), waiting for some; null once closed. */
  next(): Promise<Uint8Array | null>;
  close(): void;
  readonly dropped: number;
}

/** Creates a follower's queue. */
export function createFollowQueue(maxBytes: number): FollowQueue {
  let parts: Uint8Array[] = [];
  let bytes = 0;
  let dropped = 0;
  let droppedTotal = 0;
  let closed = false;
  let waiter: ((value: Uint8Array | null) => void) | null = null;

  const take = (): Uint8Array | null => {
    if (parts.length === 0 && dropped === 0) return null;
    if (dropped > 0) {
      const notice = encodeDropped(dropped);
      parts.push(notice);
      bytes += notice.length;
      dropped = 0;
    }
    const out = concatBytes(parts, bytes);
    parts = [];
    bytes = 0;
    return out;
  };

  const wake = () => {
    if (waiter === null) return;
    const resolve = waiter;
    waiter = null;
    resolve(closed ? null : take());
  };

  return {
    get dropped() {
      return droppedTotal;
    },
    offer(count, encode) {
      if (closed || count === 0) return;
      if (bytes >= maxBytes) {
        dropped += count;
        droppedTotal += count;
      } else {
        const encoded = encode();
        parts.push(encoded);
        bytes += encoded.length;
      }
      wake();
    },
    next() {
      if (closed) return Promise.resolve(null);
      const ready = take();
      if (ready !== null) return Promise.resolve(ready);
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    close() {
      closed = true;
      parts = [];
      wake();
    },
  };
}
