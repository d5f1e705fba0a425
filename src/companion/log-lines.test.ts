import { expect, test } from "bun:test";
import { countLines, createLineCutter, eachLine, linePrefix, prefixLines } from "./log-lines.ts";
import { createLogRing } from "./log-ring.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | null) => (value === null ? null : new TextDecoder().decode(value));

test("the cutter passes whole lines on, holds a partial line until its newline, cuts one past the cap, flushes at the end", () => {
  const cutter = createLineCutter(8);
  expect(text(cutter.push(bytes("one\ntw")))).toBe("one\n");
  expect(text(cutter.push(bytes("o")))).toBeNull();
  expect(text(cutter.push(bytes("\nthree\nfo")))).toBe("two\nthree\n");
  expect(text(cutter.push(bytes("urfourfour")))).toBe("fourfourfour\n");
  expect(text(cutter.push(bytes("end")))).toBeNull();
  expect(text(cutter.flush())).toBe("end\n");
  expect(cutter.flush()).toBeNull();
});

test("prefixes go before every line in one buffer; lines are counted and walked without copies", () => {
  const lines = bytes("a\n\nbc\n");
  expect(text(prefixLines(lines, bytes("x | ")))).toBe("x | a\nx | \nx | bc\n");
  expect(countLines(lines)).toBe(3);
  expect([...eachLine(lines)].map(text)).toEqual(["a", "", "bc"]);
  expect(linePrefix("w:1", 5, false)).toBe("w:1   | ");
  expect(linePrefix("w:1", 5, true)).toMatch(/^\u001b\[\d+mw:1   \|\u001b\[0m $/);
});

test("the ring keeps the last bytes at line boundaries, tails across chunks, and tells followers", () => {
  const ring = createLogRing(12);
  const heard: string[] = [];
  const stop = ring.follow((lines) => heard.push(text(lines) as string));
  ring.append(bytes("l1\nl2\n"), 1);
  ring.append(bytes("l3\n"), 2);
  expect(ring.tail(2).map((entry) => [text(entry.line), entry.time])).toEqual([["l2", 1], ["l3", 2]]);
  ring.append(bytes("l4\nl5\nl6\n"), 3);
  // 12 bytes: l1 and l2 went with their chunk.
  expect(ring.tail(10).map((entry) => text(entry.line))).toEqual(["l3", "l4", "l5", "l6"]);
  ring.append(bytes("0123456789\nab\n"), 4);
  // A chunk over capacity keeps its tail from a line start; the oldest chunk goes to make room.
  expect(ring.tail(10).map((entry) => text(entry.line))).toEqual(["l4", "l5", "l6", "ab"]);
  stop();
  ring.append(bytes("unheard\n"), 5);
  expect(heard).toEqual(["l1\nl2\n", "l3\n", "l4\nl5\nl6\n", "0123456789\nab\n"]);
});
