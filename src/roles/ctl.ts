/**
 * The ctl role, shared by the ctl commands: find the socket, check that it
 * belongs to someone trusted, send one request, print the reply (table or raw
 * JSON, control characters escaped) and turn it into an exit status: 0 ok,
 * 1 not ok, 2 unreachable, untrusted or misused, 3 (status only) a companion
 * listed is not RUNNING (nor STANDBY).
 */
import { requestOnce } from "../control/client.ts";
import type { Reply, Request } from "../control/protocol.ts";
import { escapeControl, formatJsonReply, formatReply } from "../control/render.ts";
import { checkSocketTrusted } from "../control/trust.ts";
import { ControlError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_NOT_RUNNING, EXIT_OK, EXIT_USAGE } from "../exit-codes.ts";
import type { Modules, Output, ProcessInfo, UnixSockets } from "../runtime/index.ts";
import { resolveSocket } from "./ctl-socket.ts";

export { resolveSocket, SOCKET_ENV } from "./ctl-socket.ts";

/** The ctl options every command takes, as the CLI parses them. */
export interface CtlArgs {
  socket?: string;
  config?: string;
  json?: boolean;
  "trust-owner"?: string;
}

/** The control socket's path, once it is found and belongs to someone trusted; throws a ControlError otherwise. */
export async function trustedSocketPath(runtime: ProcessInfo & Modules, args: CtlArgs): Promise<string> {
  const socket = await resolveSocket(runtime, { socket: args.socket, config: args.config, trustOwner: args["trust-owner"] });
  checkSocketTrusted(socket.path, socket.trusted);
  return socket.path;
}

/** Sends `request`, prints the reply, returns the exit status. */
export async function runCtl(runtime: ProcessInfo & Modules & UnixSockets & Output, args: CtlArgs, request: Request): Promise<number> {
  let reply: Reply;
  try {
    reply = await requestOnce(runtime, await trustedSocketPath(runtime, args), request);
  } catch (error) {
    if (error instanceof ControlError) {
      await runtime.write("stderr", `error: ${escapeControl(error.message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (args.json) {
    await runtime.write("stdout", formatJsonReply(reply));
  } else {
    const { text, stream } = formatReply(reply);
    await runtime.write(stream, text);
  }
  return exitStatus(request, reply);
}

/** 0 for an ok reply, 1 otherwise; a `status` listing a companion that is not RUNNING gives 3 (a singleton's STANDBY is healthy: another host runs it). */
export function exitStatus(request: Request, reply: Reply): number {
  if (!reply.ok) return EXIT_FAILURE;
  if (request.cmd === "status" && "companions" in reply && reply.companions.some((c) => c.state !== "RUNNING" && c.state !== "STANDBY")) return EXIT_NOT_RUNNING;
  return EXIT_OK;
}
