import { expect, test } from "bun:test";
import { createBatcher } from "./log-batch.ts";
import { concatBytes } from "../bytes.ts";
import { countLines, createLineCutter, eachLine, linePrefix, type LinePieces } from "./log-lines.ts";
import { createLogRing } from "./log-ring.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array) => new TextDecoder().decode(value);
/** Pieces as the text they join to, or null for none. */
const joined = (pieces: LinePieces) => (pieces.length === 0 ? null : text(concatBytes(pieces)));

test("the cutter passes whole lines on, holds a partial line until its newline, cuts one past the cap, flushes at the end", () => {
  const cutter = createLineCutter(8);
  expect(joined(cutter.push(bytes("one\ntw")))).toBe("one\n");
  expect(joined(cutter.push(bytes("o")))).toBeNull();
  expect(joined(cutter.push(bytes("\nthree\nfo")))).toBe("two\nthree\n");
  expect(joined(cutter.push(bytes("urfourfour")))).toBe("fourfourfour\n");
  expect(joined(cutter.push(bytes("end")))).toBeNull();
  expect(joined(cutter.flush())).toBe("end\n");
  expect(cutter.flush()).toEqual([]);
});

test("the cutter hands out views of the chunk, and copies only the partial line (a reused chunk does not change it)", () => {
  const cutter = createLineCutter();
  const chunk = bytes("a\nbc");
  const pieces = cutter.push(chunk);
  expect(pieces).toHaveLength(1);
  expect((pieces[0] as Uint8Array).buffer).toBe(chunk.buffer);
  chunk.fill(0x78);
  expect(joined(cutter.push(bytes("d\n")))).toBe("bcd\n");
});

test("lines are counted and walked without copies; the prefix is padded and coloured on request", () => {
  const lines = bytes("a\n\nbc\n");
  expect(countLines(lines)).toBe(3);
  expect([...eachLine(lines)].map(text)).toEqual(["a", "", "bc"]);
  expect(linePrefix("w:1", 5, false)).toBe("w:1   | ");
  expect(linePrefix("w:1", 5, true)).toMatch(/^\u001b\[\d+mw:1   \|\u001b\[0m $/);
});

test("the ring keeps the last bytes, tails whole lines across appends and wraps, and tells followers", () => {
  const ring = createLogRing(12);
  const heard: string[] = [];
  const stop = ring.follow((lines) => heard.push(text(lines)));
  ring.append([bytes("l1\nl2\n")], 1);
  ring.append([bytes("l"), bytes("3\n")], 2);
  expect(ring.tail(2).map((entry) => [text(entry.line), entry.time])).toEqual([["l2", 1], ["l3", 2]]);
  ring.append([bytes("l4\nl5\nl6\n")], 3);
  // 18 bytes came, 12 are kept: l3 starts right at the oldest kept byte.
  expect(ring.tail(10).map((entry) => text(entry.line))).toEqual(["l3", "l4", "l5", "l6"]);
  expect(ring.bytes).toBe(12);
  ring.append([bytes("0123456789\nab\n")], 4);
  // A line that starts before the kept bytes is not given.
  expect(ring.tail(10).map((entry) => [text(entry.line), entry.time])).toEqual([["ab", 4]]);
  ring.append([bytes("c\n"), bytes("\n")], 5);
  expect(ring.tail(10).map((entry) => [text(entry.line), entry.time])).toEqual([["ab", 4], ["c", 5], ["", 5]]);
  expect(ring.tail(1).map((entry) => text(entry.line))).toEqual([""]);
  stop();
  ring.append([bytes("unheard\n")], 6);
  expect(heard).toEqual(["l1\nl2\n", "l3\n", "l4\nl5\nl6\n", "0123456789\nab\n", "c\n\n"]);
});

test("a big ring grows as lines come and keeps their times through many wraps", () => {
  const ring = createLogRing(1000);
  for (let i = 0; i < 5000; i++) ring.append([bytes(`line ${i}\n`)], i);
  const last = ring.tail(3);
  expect(last.map((entry) => [text(entry.line), entry.time])).toEqual([["line 4997", 4997], ["line 4998", 4998], ["line 4999", 4999]]);
  const all = ring.tail(1000);
  expect(all.length).toBeGreaterThan(90);
  expect(all.every((entry) => text(entry.line) === `line ${entry.time}`)).toBe(true);
  expect(createLogRing(0).tail(5)).toEqual([]);
});

test("the batcher writes whole lines with the prefix before each, in order, once per batch", async () => {
  const writes: string[] = [];
  const batcher = createBatcher((out) => void writes.push(text(out)), bytes("x | "), 32);
  expect(batcher.push([bytes("a\n\nb"), bytes("c\n")])).toBeUndefined();
  const full = batcher.push([bytes("0123456789\n")]);
  expect(full).toBeInstanceOf(Promise);
  await full;
  expect(writes).toEqual(["x | a\nx | \nx | bc\nx | 0123456789\n"]);
  batcher.push([bytes("late\n")]);
  await batcher.flush();
  expect(writes).toEqual(["x | a\nx | \nx | bc\nx | 0123456789\n", "x | late\n"]);
});

test("the batcher prefixes a flood of lines of every length, whole lines per write, the same bytes as line by line", async () => {
  const prefix = bytes("name  | ");
  const writes: Uint8Array[] = [];
  const batcher = createBatcher((out) => void writes.push(out.slice()), prefix);
  let expected = "";
  const cutter = createLineCutter();
  let input = "";
  for (let i = 0; i < 20_000; i++) input += `${"y".repeat((i * 7919) % 300)}\n`;
  input += `${"z".repeat(60_000)}\n`;
  for (const line of input.split("\n").slice(0, -1)) expected += `name  | ${line}\n`;
  const all = bytes(input);
  for (let at = 0, size = 1; at < all.length; at += size, size = (size * 3 + 1) % 150_001) {
    const pending = batcher.push(cutter.push(all.subarray(at, at + size)));
    if (pending !== undefined) await pending;
  }
  batcher.push(cutter.flush());
  await batcher.flush();
  expect(writes.every((out) => out[out.length - 1] === 10)).toBe(true);
  expect(text(concatBytes(writes))).toBe(expected);
});
