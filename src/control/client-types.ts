/** The shapes of the control server's client table (clients.ts): its limits, its interface, and the replies it sends. */
import type { Connection } from "../runtime/index.ts";

/**
 * A reply that goes on until the client closes (`logs` with `follow`): the
 * connection carries nothing else from then on.
 */
export interface StreamingReply {
  /** Sent first (the lines already kept). */
  readonly head: Uint8Array;
  /** The next bytes to send, once there are some; null when the stream is over. */
  next(): Promise<Uint8Array | null>;
  /** The client is gone: stop producing. */
  close(): void;
}

/** Answers one request line with one encoded reply line, or a stream. */
export type LineAnswerer = (line: Uint8Array) => Promise<Uint8Array | StreamingReply>;

/** The limits of a client table. */
export interface ClientLimits {
  /** Connections served at once. */
  maxConnections: number;
  /** Input one connection may hold (a partial line and requests not yet answered). */
  maxBytesPerConnection: number;
  /** Input all connections together may hold. */
  maxTotalBytes: number;
  /** Seconds a connection may stay idle; read at each idle period (a reread changes it); 0: never closed for it. */
  idleTimeoutSecs: () => number;
}

/** The table of open connections. */
export interface ClientTable {
  accept(conn: Connection): void;
  /** Closes the connection idle the longest, if any (the process ran out of descriptors). */
  makeRoom(): void;
  /** Input held across all connections now, in bytes. */
  readonly heldBytes: number;
  readonly size: number;
  closeAll(): void;
}
