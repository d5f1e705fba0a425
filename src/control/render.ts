/**
 * Pure: how ctl replies read on a terminal or in a pipe, like supervisorctl.
 * Every piece of text a reply carries is escaped first (`escapeControl`): a
 * server, or whoever answers in its place, cannot move the cursor, recolour
 * the terminal or forge a line of output.
 */
import type { CompanionStatus } from "../control/protocol.ts";
import type { Reply } from "../control/protocol.ts";

const NAME_WIDTH = 32;
const STATE_WIDTH = 9;

/** C0 controls, DEL and C1 controls; with newlines kept, all of them but "\n". */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** `text` with every control character shown as `\x1b` (`\n`, `\r`, `\t` by name); `keepNewlines` leaves "\n" as it is. */
export function escapeControl(text: unknown, keepNewlines = false): string {
  return String(text).replace(keepNewlines ? CONTROL_BUT_NEWLINE : CONTROL, (char) => NAMED[char] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A JSON text with DEL and C1 controls shown as `\u007f`… (JSON.stringify escapes only C0). */
export function escapeJsonText(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A reply as one JSON line whose strings show every control character escaped. */
export function formatJsonReply(reply: Reply): string {
  return `${escapeJsonText(JSON.stringify(reply))}\n`;
}

/** The status table: `name  STATE  description`, one companion per line. */
export function formatStatusTable(companions: readonly CompanionStatus[]): string {
  const rows = companions.map((c) => [escapeControl(c.name), escapeControl(c.state), escapeControl(c.description)] as const);
  const width = Math.max(NAME_WIDTH, ...rows.map(([name]) => name.length + 1));
  return rows.map(([name, state, description]) => `${name.padEnd(width)} ${state.padEnd(STATE_WIDTH)} ${description}\n`).join("");
}

/** One reply as the lines the ctl prints, and the stream they go to. */
export function formatReply(reply: Reply): { text: string; stream: "stdout" | "stderr" } {
  const e = escapeControl;
  if ("results" in reply) {
    const text = reply.results.map((r) => `${e(r.name)}: ${r.ok ? "" : "error: "}${e(r.message)}\n`).join("");
    return { text: text === "" ? "no companions configured\n" : text, stream: reply.ok ? "stdout" : "stderr" };
  }
  if (!reply.ok) return { text: `error: ${e(reply.error)}${reply.kept_old_config ? " (the old config keeps running)" : ""}\n`, stream: "stderr" };
  if ("companions" in reply) return { text: formatStatusTable(reply.companions), stream: "stdout" };
  if ("added" in reply) {
    const lines: string[] = [];
    for (const [label, names] of [
      ["added", reply.added],
      ["removed", reply.removed],
      ["restarted", reply.restarted],
      ["updated (stopped by hand; applies at next start)", reply.updated],
      ["unchanged", reply.unchanged],
    ] as const) {
      if (names.length > 0) lines.push(`${label}: ${names.map((name) => e(name)).join(", ")}`);
    }
    return { text: `${lines.length === 0 ? "no companions configured" : lines.join("\n")}\n`, stream: "stdout" };
  }
  if ("done" in reply) return { text: "", stream: "stdout" };
  return { text: `${e(reply.name)}: ${e(reply.message)}\n`, stream: "stdout" };
}
