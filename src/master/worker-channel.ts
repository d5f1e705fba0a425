/**
 * The private unix socket between the master and its HTTP workers, in the
 * state directory: each worker connects once and sends NDJSON messages
 * (hello, ready, beat, retire, boot-error). Heartbeats go through here rather
 * than through a file whose mtime the master would have to poll.
 */
import { join } from "node:path";
import { createLineSplitter } from "../control/lines.ts";
import type { Connection, UnixListener, UnixSockets } from "../runtime/index.ts";

/** What a worker tells the master. */
export type WorkerMessage =
  | { t: "hello"; id: number; pid: number; generation: number }
  | { t: "ready" }
  | { t: "beat"; requests: number }
  | { t: "retire"; requests: number }
  | { t: "boot-error"; message: string };

/** The channel's socket path inside a state directory. */
export const workerChannelPath = (stateDir: string) => join(stateDir, "w.sock");

/** Master side: every message of every worker, with the pid from its hello. */
export async function listenWorkerChannel(
  runtime: UnixSockets,
  stateDir: string,
  onMessage: (pid: number, message: WorkerMessage) => void,
): Promise<UnixListener> {
  const decoder = new TextDecoder();
  return runtime.listenUnix(
    workerChannelPath(stateDir),
    (conn: Connection) => {
      void (async () => {
        const splitter = createLineSplitter(64 * 1024);
        let pid = 0;
        for (;;) {
          const chunk = await conn.read();
          if (chunk === null) break;
          const { lines, overflow } = splitter.push(chunk);
          for (const line of lines) {
            let message: WorkerMessage;
            try {
              message = JSON.parse(decoder.decode(line)) as WorkerMessage;
            } catch {
              continue;
            }
            if (message.t === "hello") pid = message.pid;
            if (pid !== 0) onMessage(pid, message);
          }
          if (overflow) break;
        }
        conn.close();
      })().catch(() => conn.close());
    },
    { maxBufferedBytes: 1024 * 1024 },
  );
}

/** Worker side: a connected channel. Sends never throw (a master that is gone is noticed by the lifeline). */
export interface WorkerChannel {
  send(message: WorkerMessage): void;
}

/** Connects a worker to its master's channel. */
export async function connectWorkerChannel(runtime: UnixSockets, stateDir: string): Promise<WorkerChannel> {
  const conn = await runtime.connectUnix(workerChannelPath(stateDir));
  const encoder = new TextEncoder();
  // Writes are chained so messages keep their order.
  let last: Promise<void> = Promise.resolve();
  return {
    send(message) {
      last = last.then(() => conn.write(encoder.encode(`${JSON.stringify(message)}\n`))).catch(() => {});
    },
  };
}
