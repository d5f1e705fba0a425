/**
 * A control socket client: sends requests and reads the replies, which come
 * back in request order, so one connection can carry many requests.
 */
import { ControlError } from "../errors.ts";
import type { Connection, UnixSockets } from "../runtime/index.ts";
import { createLineSplitter } from "./lines.ts";
import { encodeRequest, type Reply, type Request } from "./protocol.ts";

/** An open connection to a manager. */
export interface ControlClient {
  request(request: Request): Promise<Reply>;
  close(): void;
}

const REPLY_LINE_LIMIT = 256 * 1024 * 1024;

/** Connects to the control socket at `path`; a `ControlError("unreachable")` when nothing answers there. */
export async function connectControl(runtime: UnixSockets, path: string): Promise<ControlClient> {
  let conn: Connection;
  try {
    conn = await runtime.connectUnix(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === "ENOENT"
        ? "no such socket"
        : code === "ECONNREFUSED"
          ? "connection refused (no manager is running)"
          : code === "EACCES"
            ? "permission denied (the socket's mode or owner keeps this user out)"
            : `${(error as Error).message}${code === undefined ? "" : ` (${code})`}`;
    throw new ControlError("unreachable", `cannot reach the control socket ${path}: ${reason}`, { cause: error });
  }
  const waiting: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  const decoder = new TextDecoder();
  let failure: Error | null = null;

  const fail = (error: Error) => {
    failure = error;
    for (const waiter of waiting.splice(0)) waiter.reject(error);
  };

  (async () => {
    const splitter = createLineSplitter(REPLY_LINE_LIMIT);
    for (;;) {
      const chunk = await conn.read();
      if (chunk === null) break;
      for (const line of splitter.push(chunk).lines) {
        const waiter = waiting.shift();
        if (waiter === undefined) continue;
        try {
          waiter.resolve(JSON.parse(decoder.decode(line)) as Reply);
        } catch (error) {
          waiter.reject(new ControlError("bad_request", `the manager sent a reply that is not JSON: ${(error as Error).message}`));
        }
      }
    }
    fail(new ControlError("unreachable", "the manager closed the connection"));
  })().catch((error) => fail(new ControlError("unreachable", `control connection failed: ${(error as Error).message}`)));

  return {
    async request(request) {
      if (failure !== null) throw failure;
      const reply = new Promise<Reply>((resolve, reject) => waiting.push({ resolve, reject }));
      await conn.write(encodeRequest(request));
      return reply;
    },
    close() {
      conn.close();
    },
  };
}

/** Sends one request on a fresh connection and returns the reply. */
export async function requestOnce(runtime: UnixSockets, path: string, request: Request): Promise<Reply> {
  const client = await connectControl(runtime, path);
  try {
    return await client.request(request);
  } finally {
    client.close();
  }
}
