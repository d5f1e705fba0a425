/**
 * Validation of control requests (the manager's side): one line in, a
 * request or the error reply to send out. Never throws.
 */
import * as v from "valibot";
import { parseSignal } from "../runtime/signals.ts";
import { COMMANDS, DEFAULT_LOG_LINES, MAX_LOG_LINES, type ErrorReply, type Request } from "./protocol.ts";

const Id = v.optional(v.union([v.string(), v.number()]));
const Name = v.pipe(v.string('"name" must be a string'), v.nonEmpty('"name" must not be empty'));
const Signal = v.pipe(
  v.union([v.string(), v.number()], '"signal" must be a signal name or number'),
  v.check((value) => parseSignal(value) !== null, 'unknown signal; expected a name such as "HUP" or "SIGUSR1", or its number'),
  v.transform((value) => parseSignal(value) as string),
);
const Wait = v.optional(v.boolean('"wait" must be true or false'), false);

/** Request schemas, a variant on `cmd`. */
export const RequestSchema = v.variant("cmd", [
  v.object({ cmd: v.literal("status"), names: v.optional(v.array(v.string(), '"names" must be a list of strings')), id: Id }),
  v.object({ cmd: v.literal("start"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("stop"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("restart"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("signal"), name: Name, signal: Signal, id: Id }),
  v.object({ cmd: v.literal("reread"), id: Id }),
  v.object({
    cmd: v.literal("logs"),
    name: Name,
    lines: v.optional(
      v.pipe(
        v.number('"lines" must be a whole number'),
        v.integer('"lines" must be a whole number'),
        v.minValue(0, '"lines" must not be negative'),
        v.maxValue(MAX_LOG_LINES, `"lines" must be at most ${MAX_LOG_LINES}`),
      ),
      DEFAULT_LOG_LINES,
    ),
    follow: v.optional(v.boolean('"follow" must be true or false'), false),
    stream: v.optional(v.picklist(["stdout", "stderr"], '"stream" must be "stdout" or "stderr"'), "stdout"),
    id: Id,
  }),
]);

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A request is an object of scalars and one list: nothing deeper is ever needed. */
export const MAX_REQUEST_DEPTH = 8;

/**
 * The deepest nesting of arrays and objects in a JSON text (strings skipped),
 * found in one pass over the bytes: a hostile `[[[[…` line is refused before
 * JSON.parse builds a million arrays out of it.
 */
export function nestingDepth(line: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const byte = line[i];
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      if (depth > deepest && (deepest = depth) > limit) return deepest;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return deepest;
}

/** Decoding result: a request, or the error reply to send (with the id echoed when one could be read). */
export type Decoded = { ok: true; request: Request } | { ok: false; reply: ErrorReply };

function errorReply(error: string, id?: unknown): Decoded {
  const reply: ErrorReply = { ok: false, error };
  if (typeof id === "string" || typeof id === "number") reply.id = id;
  return { ok: false, reply };
}

/** Parses and validates one request line. Never throws. */
export function decodeRequest(line: Uint8Array): Decoded {
  let text: string;
  try {
    text = decoder.decode(line);
  } catch {
    return errorReply("request is not valid UTF-8");
  }
  if (nestingDepth(line, MAX_REQUEST_DEPTH) > MAX_REQUEST_DEPTH) return errorReply(`request is nested deeper than ${MAX_REQUEST_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return errorReply(`request is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return errorReply("request must be a JSON object");
  const object = value as Record<string, unknown>;
  if (typeof object.cmd !== "string") return errorReply('request needs "cmd", a string', object.id);
  if (!(COMMANDS as readonly string[]).includes(object.cmd)) {
    return errorReply(`unknown cmd "${object.cmd.slice(0, 64)}"; expected one of ${COMMANDS.join(", ")}`, object.id);
  }
  if (object.cmd !== "status" && object.cmd !== "reread" && object.name === undefined) {
    return errorReply(`"${object.cmd}" needs "name", the companion's name`, object.id);
  }
  if (object.cmd === "signal" && object.signal === undefined) return errorReply('"signal" needs "signal", a name such as "HUP" or a number', object.id);
  const result = v.safeParse(RequestSchema, object);
  if (!result.success) return errorReply(result.issues.map((issue) => issue.message).join("; "), object.id);
  return { ok: true, request: result.output satisfies Request };
}

