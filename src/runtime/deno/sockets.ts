/** Unix sockets on Deno.listen/Deno.connect as the runtime's connections. */
import type { Connection, ListenUnixOptions, UnixListener } from "../types.ts";

const READ_CHUNK_BYTES = 64 * 1024;

/** The pause before accepting again after an accept failed (out of descriptors). */
const ACCEPT_RETRY_MS = 20;

function connToConnection(conn: Deno.Conn): Connection {
  let closed = false;
  return {
    read: async () => {
      if (closed) return null;
      const buffer = new Uint8Array(READ_CHUNK_BYTES);
      try {
        const n = await conn.read(buffer);
        return n === null ? null : buffer.subarray(0, n);
      } catch {
        return null;
      }
    },
    write: async (bytes) => {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    },
    end: () => {
      conn.closeWrite().catch(() => {});
    },
    close: () => {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed by the peer
      }
    },
  };
}

/** Listens on a unix socket path with Deno.listen. */
export async function listenUnixDeno(
  path: string,
  onConnection: (conn: Connection) => void,
  options: ListenUnixOptions,
): Promise<UnixListener> {
  // Deno reads each connection on demand (pull), so unread bytes stay in the
  // kernel's buffer and need no cap of our own.
  const listener = Deno.listen({ transport: "unix", path });
  let closed = false;
  (async () => {
    while (!closed) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        // Closed by us: the loop ends. Out of descriptors (EMFILE) or another
        // error of one accept: try again shortly; the listener stays up (as
        // Bun's and Node's do), or no one could ever connect again.
        if (closed) continue;
        options.onAcceptFailed?.();
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      onConnection(connToConnection(conn));
    }
  })();
  return {
    path,
    close: () => {
      closed = true;
      try {
        listener.close();
      } catch {
        // already closed
      }
    },
  };
}

/** Connects to a unix socket path with Deno.connect. */
export async function connectUnixDeno(path: string): Promise<Connection> {
  return connToConnection(await Deno.connect({ transport: "unix", path }));
}
