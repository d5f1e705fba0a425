/**
 * The ctl's `logs`: sends the request and prints each line of the reply as
 * it comes, `name | line` (coloured on a terminal unless NO_COLOR) or the raw
 * NDJSON with --json, until `{"ok":true,"done":true}`, an error, the manager
 * closing, or Ctrl-C (exit 0: stopping a follow is how it is used).
 */
import { createLineSplitter } from "../control/lines.ts";
import { encodeRequest, type LogsMessage, type LogsRequest } from "../control/protocol.ts";
import { ControlError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "../exit-codes.ts";
import type { Connection, Modules, Output, ProcessInfo, Signals, UnixSockets } from "../runtime/index.ts";
import { linePrefix } from "../companion/log-lines.ts";
import { wantsColour } from "../runtime/tty.ts";
import { resolveSocket } from "./ctl.ts";

const decoder = new TextDecoder();

/** Runs `logs`; returns the exit status. */
export async function runLogs(
  runtime: ProcessInfo & Modules & UnixSockets & Output & Signals,
  args: { socket?: string; config?: string; json?: boolean },
  request: LogsRequest,
): Promise<number> {
  const socket = await resolveSocket(runtime, args);
  let conn: Connection;
  try {
    conn = await runtime.connectUnix(socket);
  } catch (error) {
    await runtime.write("stderr", `error: cannot reach the control socket ${socket}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  let interrupted = false;
  const stopOnSigint = runtime.onSignal("SIGINT", () => {
    interrupted = true;
    conn.close();
  });
  const colour = !args.json && wantsColour("stdout", runtime.env());
  let width = 0;
  try {
    await conn.write(encodeRequest(request));
    const splitter = createLineSplitter(64 * 1024 * 1024);
    for (let chunk = await conn.read(); chunk !== null; chunk = await conn.read()) {
      let out = "";
      for (const line of splitter.push(chunk).lines) {
        const text = decoder.decode(line);
        const message = JSON.parse(text) as LogsMessage;
        if ("ok" in message) {
          if (out !== "") await runtime.write("stdout", out);
          if (message.ok) return EXIT_OK;
          await runtime.write("stderr", args.json ? `${text}\n` : `error: ${message.error}\n`);
          return EXIT_FAILURE;
        }
        if (args.json) out += `${text}\n`;
        else if ("dropped" in message) {
          if (out !== "") await runtime.write("stdout", out);
          out = "";
          await runtime.write("stderr", `(${message.dropped} lines dropped: reading too slowly)\n`);
        } else {
          width = Math.max(width, message.name.length);
          out += `${linePrefix(message.name, width, colour)}${message.line}\n`;
        }
      }
      if (out !== "") await runtime.write("stdout", out);
    }
    if (interrupted || request.follow) return EXIT_OK;
    await runtime.write("stderr", "error: the manager closed the connection\n");
    return EXIT_USAGE;
  } catch (error) {
    if (interrupted) return EXIT_OK;
    if (error instanceof ControlError || error instanceof SyntaxError) {
      await runtime.write("stderr", `error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    stopOnSigint();
    conn.close();
  }
}
