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
import { escapeControl, escapeJsonText } from "../control/render.ts";
import { trustedSocketPath, type CtlArgs } from "./ctl.ts";

const decoder = new TextDecoder();

/** Runs `logs`; returns the exit status. */
export async function runLogs(
  runtime: ProcessInfo & Modules & UnixSockets & Output & Signals,
  args: CtlArgs,
  request: LogsRequest,
): Promise<number> {
  let conn: Connection;
  let path = args.socket ?? "";
  try {
    path = await trustedSocketPath(runtime, args);
    conn = await runtime.connectUnix(path);
  } catch (error) {
    const reason = error instanceof ControlError ? error.message : `cannot reach the control socket ${path}: ${(error as Error).message}`;
    await runtime.write("stderr", `error: ${escapeControl(reason)}\n`);
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
          await runtime.write("stderr", args.json ? `${escapeJsonText(text)}\n` : `error: ${escapeControl(message.error)}\n`);
          return EXIT_FAILURE;
        }
        if (args.json) out += `${escapeJsonText(text)}\n`;
        else if ("dropped" in message) {
          if (out !== "") await runtime.write("stdout", out);
          out = "";
          await runtime.write("stderr", `(${message.dropped} lines dropped: reading too slowly)\n`);
        } else {
          // What a companion wrote is shown, never obeyed: its control characters (colours too) are escaped.
          const name = escapeControl(message.name);
          width = Math.max(width, name.length);
          out += `${linePrefix(name, width, colour)}${escapeControl(message.line)}\n`;
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
      await runtime.write("stderr", `error: ${escapeControl(error.message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    stopOnSigint();
    conn.close();
  }
}
