import { describe, expect, test } from "bun:test";
import { createLineSplitter } from "./lines.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (lines: Uint8Array[]) => lines.map((line) => new TextDecoder().decode(line));

describe("line splitting", () => {
  test("lines across chunk boundaries, CRLF, empty chunks", () => {
    const splitter = createLineSplitter(100);
    expect(text(splitter.push(bytes('{"cmd":')).lines)).toEqual([]);
    expect(text(splitter.push(bytes('"status"}\r\n{"a":1}\n{"b"')).lines)).toEqual(['{"cmd":"status"}', '{"a":1}']);
    expect(text(splitter.push(bytes("")).lines)).toEqual([]);
    expect(text(splitter.push(bytes(":2}\n")).lines)).toEqual(['{"b":2}']);
    expect(splitter.flush()).toBeNull();
  });
  test("a last line without newline comes out of flush", () => {
    const splitter = createLineSplitter(100);
    splitter.push(bytes("abc\ndef"));
    expect(new TextDecoder().decode(splitter.flush() ?? new Uint8Array())).toBe("def");
  });
  test("a pending line over the cap overflows; one exactly at the cap does not", () => {
    const atCap = createLineSplitter(10);
    expect(atCap.push(bytes("0123456789\n"))).toMatchObject({ overflow: false });
    const over = createLineSplitter(10);
    expect(over.push(bytes("01234")).overflow).toBe(false);
    expect(over.push(bytes("567890")).overflow).toBe(true);
    expect(createLineSplitter(10).push(bytes("01234567890\n")).overflow).toBe(true);
  });
});
