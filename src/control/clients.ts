/**
 * The control server's clients: every connection reads eagerly (so the bytes
 * a client sends are held, and counted, here rather than in the runtime) and
 * answers its complete lines in order. Three limits keep hostile or forgotten
 * clients from crowding out the operator (docs/security.md, "Clients"):
 * an idle connection is closed after the idle timeout; the input held across
 * all connections is capped, the connection holding the most is closed when
 * it is exceeded; a full table closes the connection idle the longest to let
 * a new one in.
 */
import { errorMessage } from "../errors.ts";
import type { Connection } from "../runtime/index.ts";
import type { Clock, TimerHandle } from "../supervise/clock.ts";
import { createLineSplitter, MAX_LINE_BYTES } from "./lines.ts";
import { encodeReply } from "./protocol.ts";
import type { ClientLimits, ClientTable, LineAnswerer, StreamingReply } from "./client-types.ts";

export type { ClientLimits, ClientTable, LineAnswerer, StreamingReply } from "./client-types.ts";

interface Client {
  conn: Connection;
  held: number;
  /** The most it held at once. */
  peak: number;
  /** A request is queued or being answered. */
  busy: boolean;
  /** When it last became idle (clock ms). */
  idleSince: number;
  timer: TimerHandle | null;
  closed: boolean;
  /** A reply is being written (it may be stuck on a client that does not read). */
  writing: boolean;
  /** Wakes the connection's answering loop (so it sees that the connection was dropped). */
  wake: () => void;
}

const NEWLINE = 0x0a;

/** A connection that held this much input is followed by a garbage collection when it ends. */
const LARGE_INPUT_BYTES = 256 * 1024;

/** How long a connection closed with an error reply stays half-open for the reply to be read. */
const FAREWELL_MS = 1000;

/**
 * Creates a table; `onError` hears of connections that failed (a peer that
 * vanished mid-write), `onRelease` of a connection that held much input ending.
 */
export function createClientTable(
  answer: LineAnswerer,
  limits: ClientLimits,
  clock: Clock,
  hooks: { onError?: (message: string) => void; onRelease?: () => void } = {},
): ClientTable {
  const clients = new Set<Client>();
  let total = 0;

  const charge = (client: Client, bytes: number) => {
    client.held += bytes;
    client.peak = Math.max(client.peak, client.held);
    total += bytes;
  };

  /** Takes a connection out of the table and releases what it held. */
  const forget = (client: Client) => {
    // What a connection that held much leaves is worth collecting (the manager runs without a GC timer).
    if (client.peak >= LARGE_INPUT_BYTES) hooks.onRelease?.();
    client.closed = true;
    clients.delete(client);
    if (client.timer !== null) clock.clearTimer(client.timer);
    client.timer = null;
    total -= client.held;
    client.held = 0;
  };

  /**
   * Ends a connection: its held input is released at once; `error` is sent
   * first when given. A client closed for being idle is half-closed after
   * it, so that it reads the reply; the others (over a cap, or making room
   * in a full table, maybe under attack) are closed at once, so that nothing
   * more is read from them and their descriptor is free again.
   */
  const drop = (client: Client, error: string | null, quiet = false) => {
    if (client.closed) return;
    forget(client);
    client.wake();
    // A reply is written only when no other write is under way (it could be stuck on a client that does not read).
    if (error === null || client.writing) return client.conn.close();
    // The full close comes at the deadline whatever the client does (a reply
    // can be stuck on a client that does not read).
    const deadline = clock.setTimer(() => client.conn.close(), FAREWELL_MS);
    const close = () => {
      clock.clearTimer(deadline);
      client.conn.close();
    };
    // A half-close, not a reset: a reset can destroy the reply before the client has read it.
    client.conn.write(encodeReply({ ok: false, error })).then(() => (quiet ? client.conn.end() : close()), close);
  };

  const armIdle = (client: Client) => {
    if (client.timer !== null) clock.clearTimer(client.timer);
    client.timer = null;
    client.idleSince = clock.now();
    const secs = limits.idleTimeoutSecs();
    if (!(secs > 0) || client.closed) return;
    client.timer = clock.setTimer(() => {
      // Looked at again once the I/O that is already waiting has been read: a
      // manager that was not scheduled for a while runs its timers first, and
      // the request that arrived meanwhile makes the connection busy.
      client.timer = clock.setTimer(() => {
        client.timer = null;
        if (!client.busy) drop(client, `idle for ${secs}s; closing the connection`, true);
      }, 0);
    }, secs * 1000);
  };

  /** Keeps the total under its cap: the connection holding the most goes first. */
  const enforceTotal = () => {
    while (total > limits.maxTotalBytes) {
      let largest: Client | null = null;
      for (const client of clients) if (largest === null || client.held > largest.held) largest = client;
      if (largest === null) return;
      drop(largest, `the manager holds ${limits.maxTotalBytes} bytes of unanswered input across all connections; closing the connection holding the most (${largest.held} bytes)`);
    }
  };

  const serve = (client: Client) => {
    const { conn } = client;
    const splitter = createLineSplitter(MAX_LINE_BYTES);
    // Raw chunks not yet split: lines are cut one chunk at a time as they are
    // answered, so a flood of small requests costs its bytes, not an object per line.
    const inbox: Uint8Array[] = [];
    let inboxBytes = 0;
    let currentBytes = 0;
    let readerDone = false;
    let wake: (() => void) | null = null;
    client.wake = () => {
      const resolve = wake;
      wake = null;
      resolve?.();
    };
    /** Brings the connection's share of the total up to date. */
    const recount = () => {
      if (!client.closed) charge(client, inboxBytes + currentBytes + splitter.pendingBytes - client.held);
    };

    const reader = async () => {
      for (;;) {
        const chunk = await conn.read();
        if (chunk === null || client.closed) break;
        inbox.push(chunk);
        inboxBytes += chunk.length;
        recount();
        if (chunk.includes(NEWLINE)) {
          client.busy = true;
          if (client.timer !== null) clock.clearTimer(client.timer);
          client.timer = null;
        }
        if (client.held > limits.maxBytesPerConnection) {
          return drop(client, `more than ${limits.maxBytesPerConnection} bytes of requests wait for answers on this connection; closing it`);
        }
        enforceTotal();
        client.wake();
      }
      readerDone = true;
      client.wake();
    };

    const send = async (bytes: Uint8Array) => {
      client.writing = true;
      await conn.write(bytes);
      client.writing = false;
    };

    /**
     * Sends a stream until it ends or the client goes (its side closed, or
     * dropped). Every write is awaited (the socket's own backpressure), so a
     * client that does not read holds up its own stream only: what piles up
     * meanwhile is the stream's to drop. The connection ends with it.
     */
    const stream = async (reply: StreamingReply) => {
      try {
        await send(reply.head);
        let pending: Promise<Uint8Array | null> | null = null;
        while (!client.closed && !readerDone) {
          pending ??= reply.next();
          // The reader wakes this on every chunk (ignored now), at its end and when the connection is dropped.
          const woke = new Promise<"woke">((resolve) => {
            wake = () => resolve("woke");
          });
          const bytes = await Promise.race([pending, woke]);
          wake = null;
          if (bytes === "woke") continue;
          pending = null;
          if (bytes === null) break;
          await send(bytes);
        }
      } finally {
        reply.close();
        drop(client, null);
      }
    };

    /** Answers lines until the connection is closed or must close with an error. */
    const answerAll = async (lines: Uint8Array[]) => {
      for (const line of lines) {
        if (line.length === 0) continue;
        const reply = await answer(line);
        if (client.closed) return;
        if (!(reply instanceof Uint8Array)) return stream(reply);
        await send(reply);
      }
    };

    const writer = async () => {
      for (;;) {
        if (client.closed) return;
        const chunk = inbox.shift();
        if (chunk === undefined) {
          if (readerDone) break;
          // Idle from the last answer on: bytes of a partial line do not count as activity.
          if (client.busy) {
            client.busy = false;
            armIdle(client);
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          continue;
        }
        inboxBytes -= chunk.length;
        currentBytes = chunk.length;
        const { lines, overflow } = splitter.push(chunk);
        await answerAll(lines);
        if (overflow) return drop(client, `request line longer than ${MAX_LINE_BYTES} bytes; closing the connection`);
        currentBytes = 0;
        recount();
      }
      // A client may send its last request without a newline and then shut down its side.
      const last = splitter.flush();
      if (last !== null) await answerAll([last]);
      if (client.closed) return;
      // Every request answered and the peer done sending: half-close, the peer closes its side.
      forget(client);
      conn.end();
    };

    const failed = (error: unknown) => {
      if (client.closed) return;
      // A peer that vanished mid-write ends its own connection only.
      hooks.onError?.(`control connection closed: ${errorMessage(error)}`);
      drop(client, null);
    };
    reader().catch(failed);
    writer().catch(failed);
  };

  /** The connection idle the longest (no request queued or being answered), or null. */
  const longestIdle = (): Client | null => {
    let found: Client | null = null;
    for (const client of clients) if (!client.busy && (found === null || client.idleSince < found.idleSince)) found = client;
    return found;
  };

  return {
    accept(conn) {
      if (clients.size >= limits.maxConnections) {
        const idle = longestIdle();
        if (idle === null) {
          conn
            .write(encodeReply({ ok: false, error: `too many connections (${limits.maxConnections}), all of them busy; try again later` }))
            .finally(() => conn.close())
            .catch(() => {});
          return;
        }
        drop(idle, `too many connections (${limits.maxConnections}); closing the one idle the longest to let a new one in`);
      }
      const client: Client = { conn, held: 0, peak: 0, busy: true, idleSince: clock.now(), timer: null, closed: false, writing: false, wake: () => {} };
      clients.add(client);
      serve(client);
    },
    makeRoom() {
      const idle = longestIdle();
      if (idle !== null) drop(idle, "the manager is out of file descriptors; closing the one idle the longest to let a new one in");
    },
    get heldBytes() {
      return total;
    },
    get size() {
      return clients.size;
    },
    closeAll() {
      for (const client of [...clients]) drop(client, null);
    },
  };
}
