/**
 * The ctl role, shared by the ctl commands: find the socket, send one request, print the
 * reply (table or raw JSON) and turn it into an exit status: 0 ok, 1 not ok,
 * 2 unreachable or misused, 3 (status only) a companion listed is not RUNNING (nor STANDBY).
 */
import { requestOnce } from "../control/client.ts";
import type { Reply, Request } from "../control/protocol.ts";
import { formatReply } from "../control/render.ts";
import { ControlError, UsageError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_NOT_RUNNING, EXIT_OK, EXIT_USAGE } from "../exit-codes.ts";
import type { Modules, Output, ProcessInfo, UnixSockets } from "../runtime/index.ts";

/** Environment variable naming the control socket for the ctl. */
export const SOCKET_ENV = "GUNICORN_COMPANION_SOCKET";

/** The control socket: `-s`, else `$GUNICORN_COMPANION_SOCKET`, else `-c FILE`'s companion_control_socket. */
export async function resolveSocket(runtime: ProcessInfo & Modules, args: { socket?: string; config?: string }): Promise<string> {
  if (args.socket !== undefined && args.socket !== "") return args.socket;
  const fromEnv = runtime.env()[SOCKET_ENV];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (args.config !== undefined && args.config !== "") {
    // Only here is the config layer (and valibot) loaded: plain ctl calls stay light.
    const [{ loadConfig }, { isAbsolute, resolve }] = await Promise.all([import("../config/load.ts"), import("node:path")]);
    const cwd = runtime.cwd();
    const configFile = isAbsolute(args.config) ? args.config : resolve(cwd, args.config);
    const { settings } = await loadConfig(runtime, { configFile, overrides: {}, cwd });
    if (settings.companion_control_socket !== null) return settings.companion_control_socket;
    throw new UsageError(`${configFile} sets no companion_control_socket`);
  }
  throw new UsageError(`no control socket: pass -s SOCKET, set ${SOCKET_ENV}, or -c CONFIG with companion_control_socket`);
}

/** Sends `request`, prints the reply, returns the exit status. */
export async function runCtl(runtime: ProcessInfo & Modules & UnixSockets & Output, args: { socket?: string; config?: string; json?: boolean }, request: Request): Promise<number> {
  const socket = await resolveSocket(runtime, args);
  let reply: Reply;
  try {
    reply = await requestOnce(runtime, socket, request);
  } catch (error) {
    if (error instanceof ControlError) {
      await runtime.write("stderr", `error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (args.json) {
    await runtime.write("stdout", `${JSON.stringify(reply)}\n`);
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
