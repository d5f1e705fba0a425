import { describe, expect, test } from "bun:test";
import { decodeRequest, nestingDepth } from "./requests.ts";

const decode = (text: string | Uint8Array) => decodeRequest(typeof text === "string" ? new TextEncoder().encode(text) : text);

describe("requests", () => {
  test("valid requests, with defaults", () => {
    expect(decode('{"cmd":"status"}')).toEqual({ ok: true, request: { cmd: "status" } });
    expect(decode('{"cmd":"start","name":"rq"}')).toEqual({ ok: true, request: { cmd: "start", name: "rq", wait: false } });
    expect(decode('{"cmd":"restart","name":"rq","wait":true,"id":7}')).toEqual({ ok: true, request: { cmd: "restart", name: "rq", wait: true, id: 7 } });
    expect(decode('{"cmd":"reread"}').ok).toBe(true);
    expect(decode('{"cmd":"signal","name":"rq","signal":"hup"}')).toEqual({ ok: true, request: { cmd: "signal", name: "rq", signal: "SIGHUP" } });
    expect(decode('{"cmd":"signal","name":"all","signal":15}')).toEqual({ ok: true, request: { cmd: "signal", name: "all", signal: "SIGTERM" } });
  });
  test.each([
    ["not json", "request is not valid JSON"],
    ["[1,2]", "request must be a JSON object"],
    ["42", "request must be a JSON object"],
    ["null", "request must be a JSON object"],
    ['{"name":"x"}', 'request needs "cmd", a string'],
    ['{"cmd":5}', 'request needs "cmd", a string'],
    ['{"cmd":"explode"}', 'unknown cmd "explode"; expected one of status, start, stop, restart, signal, reread, logs'],
    ['{"cmd":"signal","name":"x"}', '"signal" needs "signal"'],
    ['{"cmd":"signal","name":"x","signal":"SIGFOO"}', 'unknown signal'],
    ['{"cmd":"signal","name":"x","signal":true}', '"signal" must be a signal name or number'],
    ['{"cmd":"start"}', '"start" needs "name", the companion\'s name'],
    ['{"cmd":"stop","name":3}', '"name" must be a string'],
    ['{"cmd":"start","name":"x","wait":"yes"}', '"wait" must be true or false'],
  ])("%s -> %s", (line, error) => {
    const decoded = decode(line);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.reply.error).toStartWith(error);
  });
  test("invalid UTF-8 and deep nesting are errors, not crashes", () => {
    expect(decode(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]))).toEqual({ ok: false, reply: { ok: false, error: "request is not valid UTF-8" } });
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect(decode(deep)).toEqual({ ok: false, reply: { ok: false, error: "request is nested deeper than 8 levels" } });
    expect(decode(`{"cmd":"status","x":${'{"a":'.repeat(9)}1${"}".repeat(9)}}`).ok).toBe(false);
    // Brackets inside strings (escaped quotes too) are not nesting.
    expect(decode(`{"cmd":"start","name":"${"[{".repeat(50)}\\\"${"[".repeat(20)}"}`)).toMatchObject({ ok: true, request: { name: `${"[{".repeat(50)}"${"[".repeat(20)}` } });
    expect(nestingDepth(new TextEncoder().encode('{"a":[{"b":[]}]}'), 8)).toBe(4);
  });
  test("an id is echoed in errors when it can be read", () => {
    expect(decode('{"cmd":"nope","id":"a1"}')).toMatchObject({ ok: false, reply: { id: "a1" } });
  });
});
