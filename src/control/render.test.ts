import { describe, expect, test } from "bun:test";
import type { Reply } from "./protocol.ts";
import { escapeControl, formatJsonReply, formatReply } from "./render.ts";

describe("what the ctl prints of a reply", () => {
  test("control characters are shown, never sent: C0, ESC, DEL, C1; newlines by name", () => {
    expect(escapeControl("a\u001b[2Jb\u0007c\u007fd\u009be\u0000f")).toBe("a\\x1b[2Jb\\x07c\\x7fd\\x9be\\x00f");
    expect(escapeControl("one\ntwo\r\tthree")).toBe("one\\ntwo\\r\\tthree");
    expect(escapeControl("one\ntwo\u001b", true)).toBe("one\ntwo\\x1b");
    expect(escapeControl("plain text, é, 東京, ✓")).toBe("plain text, é, 東京, ✓");
    expect(escapeControl(42)).toBe("42");
  });

  test("every field of every reply is escaped, so no reply adds a line or an escape of its own", () => {
    const evil = "x\u001b]0;title\u0007\nforged RUNNING";
    const replies: Reply[] = [
      { ok: true, companions: [{ name: evil, state: "RUNNING", description: evil } as never] },
      { ok: true, name: evil, state: "STOPPED", message: evil } as never,
      { ok: false, error: evil },
      { ok: false, results: [{ name: evil, ok: false, message: evil }] },
      { ok: true, added: [evil], removed: [], restarted: [], updated: [], unchanged: [evil] } as never,
    ];
    for (const reply of replies) {
      const { text } = formatReply(reply);
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(text).toContain("x\\x1b]0;title\\x07\\nforged RUNNING");
      expect(text.split("\n").filter(Boolean).length).toBe("added" in reply ? 2 : 1);
    }
  });

  test("--json: one line, DEL and C1 escaped as JSON escapes (JSON.stringify leaves them raw)", () => {
    const reply = { ok: false, error: "a\u001bb\u007fc\u009bd\ne" } as Reply;
    const line = formatJsonReply(reply);
    expect(line).toBe('{"ok":false,"error":"a\\u001bb\\u007fc\\u009bd\\ne"}\n');
    expect(JSON.parse(line)).toEqual(reply);
  });
});
