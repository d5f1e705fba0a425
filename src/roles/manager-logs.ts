/**
 * The manager's answer to `logs` (docs/logging.md): the last lines of a
 * member's stream (or of every member of a group, or `all`, in the order they
 * came), as NDJSON `{"name","stream","line","time"}`; then either
 * `{"ok":true,"done":true}` or, with `follow`, every new line through a
 * bounded queue that drops for a slow reader.
 */
import type { CompanionSupervisor } from "../companion/supervisor.ts";
import type { CompanionOutputs } from "../companion/output.ts";
import { countLines, eachLine } from "../companion/log-lines.ts";
import type { LogRing } from "../companion/log-ring.ts";
import { createFollowQueue } from "../control/follow-queue.ts";
import { encodeLogLine, encodeReply, type LogsRequest, type Reply } from "../control/protocol.ts";
import type { StreamingReply } from "../control/server.ts";

/** Bytes of encoded lines a follower may have waiting before lines are dropped for it. */
export const FOLLOW_QUEUE_BYTES = 256 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const seconds = (ms: number) => ms / 1000;

/** Answers `logs` requests from the members' rings. */
export function createLogsHandler(companions: Pick<CompanionSupervisor, "resolve">, outputs: Pick<CompanionOutputs, "ring">) {
  return (request: LogsRequest): Reply | Uint8Array | StreamingReply => {
    const resolved = companions.resolve(request.name);
    if (!resolved.ok) return { ok: false, error: resolved.error };
    const { stream } = request;
    const rings = resolved.names.map((name) => ({ name, ring: outputs.ring(name, stream) })).filter((r): r is { name: string; ring: LogRing } => r.ring !== null);

    // The last lines of each ring, merged by arrival (a stable sort keeps each ring's order).
    const kept = rings.flatMap(({ name, ring }) => ring.tail(request.lines).map((entry) => ({ name, ...entry })));
    kept.sort((a, b) => a.time - b.time);
    const head = kept
      .slice(Math.max(0, kept.length - request.lines))
      .map((entry) => encodeLogLine({ name: entry.name, stream, line: decoder.decode(entry.line), time: seconds(entry.time) }))
      .join("");
    if (!request.follow) {
      const done = encodeReply(request.id === undefined ? { ok: true, done: true } : { ok: true, done: true, id: request.id });
      return encoder.encode(head + decoder.decode(done));
    }

    const queue = createFollowQueue(FOLLOW_QUEUE_BYTES);
    const unsubscribe = rings.map(({ name, ring }) =>
      ring.follow((lines, time) =>
        queue.offer(countLines(lines), () => {
          let text = "";
          for (const line of eachLine(lines)) text += encodeLogLine({ name, stream, line: decoder.decode(line), time: seconds(time) });
          return encoder.encode(text);
        }),
      ),
    );
    return {
      head: encoder.encode(head),
      next: () => queue.next(),
      close() {
        for (const stop of unsubscribe) stop();
        queue.close();
      },
    };
  };
}
