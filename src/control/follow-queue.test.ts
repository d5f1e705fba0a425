import { expect, test } from "bun:test";
import { createFollowQueue } from "./follow-queue.ts";

const text = (bytes: Uint8Array | null) => (bytes === null ? null : new TextDecoder().decode(bytes));
const line = (s: string) => () => new TextEncoder().encode(`${s}\n`);

test("a follower gets what was queued, then the count of what did not fit, and never more than the bound is encoded", async () => {
  const queue = createFollowQueue(4);
  let encoded = 0;
  queue.offer(1, () => (encoded++, line("ab")()));
  queue.offer(1, () => (encoded++, line("cd")()));
  queue.offer(2, () => (encoded++, line("ef\ngh")()));
  expect(encoded).toBe(2);
  expect(text(await queue.next())).toBe('ab\ncd\n{"dropped":2}\n');
  queue.offer(1, line("ij"));
  expect(text(await queue.next())).toBe("ij\n");
  expect(queue.dropped).toBe(2);
});

test("next waits for a line and resolves null once closed", async () => {
  const queue = createFollowQueue(1024);
  const waiting = queue.next();
  queue.offer(1, line("x"));
  expect(text(await waiting)).toBe("x\n");
  const pending = queue.next();
  queue.close();
  expect(await pending).toBeNull();
});
