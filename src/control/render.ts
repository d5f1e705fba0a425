/**
 * Pure: how ctl replies read on a terminal or in a pipe, like supervisorctl.
 */
import type { CompanionStatus } from "../control/protocol.ts";
import type { Reply } from "../control/protocol.ts";

const NAME_WIDTH = 32;
const STATE_WIDTH = 9;

/** The status table: `name  STATE  description`, one companion per line. */
export function formatStatusTable(companions: readonly CompanionStatus[]): string {
  const width = Math.max(NAME_WIDTH, ...companions.map((c) => c.name.length + 1));
  return companions.map((c) => `${c.name.padEnd(width)} ${c.state.padEnd(STATE_WIDTH)} ${c.description}\n`).join("");
}

/** One reply as the lines the ctl prints, and the stream they go to. */
export function formatReply(reply: Reply): { text: string; stream: "stdout" | "stderr" } {
  if ("results" in reply) {
    const text = reply.results.map((r) => `${r.name}: ${r.ok ? "" : "error: "}${r.message}\n`).join("");
    return { text: text === "" ? "no companions configured\n" : text, stream: reply.ok ? "stdout" : "stderr" };
  }
  if (!reply.ok) return { text: `error: ${reply.error}${reply.kept_old_config ? " (the old config keeps running)" : ""}\n`, stream: "stderr" };
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
      if (names.length > 0) lines.push(`${label}: ${names.join(", ")}`);
    }
    return { text: `${lines.length === 0 ? "no companions configured" : lines.join("\n")}\n`, stream: "stdout" };
  }
  if ("done" in reply) return { text: "", stream: "stdout" };
  return { text: `${reply.name}: ${reply.message}\n`, stream: "stdout" };
}
