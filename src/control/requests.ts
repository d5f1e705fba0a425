/**
 * Validation of control requests (the manager's side): one line in, a
 * request or the error reply to send out. Never throws.
 */
import * as v from "valibot";
import { COMMANDS, type ErrorReply, type Request } from "./protocol.ts";

const Id = v.optional(v.union([v.string(), v.number()]));
const Name = v.pipe(v.string('"name" must be a string'), v.nonEmpty('"name" must not be empty'));
const Wait = v.optional(v.boolean('"wait" must be true or false'), false);

/** Request schemas, a variant on `cmd`. */
export const RequestSchema = v.variant("cmd", [
  v.object({ cmd: v.literal("status"), names: v.optional(v.array(v.string(), '"names" must be a list of strings')), id: Id }),
  v.object({ cmd: v.literal("start"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("stop"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("restart"), name: Name, wait: Wait, id: Id }),
  v.object({ cmd: v.literal("reread"), id: Id }),
]);

const decoder = new TextDecoder("utf-8", { fatal: true });

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
  const result = v.safeParse(RequestSchema, object);
  if (!result.success) return errorReply(result.issues.map((issue) => issue.message).join("; "), object.id);
  return { ok: true, request: result.output satisfies Request };
}

