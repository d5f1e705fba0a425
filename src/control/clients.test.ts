import { describe, expect, test } from "bun:test";
import type { Connection } from "../runtime/index.ts";
import { createFakeClock } from "../supervise/clock.ts";
import { createClientTable, type ClientLimits } from "./clients.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** An in-memory connection: the test pushes what the client sends and reads what the table wrote. */
function fakeConnection() {
  const inbox: Array<Uint8Array | null> = [];
  let waiter: ((chunk: Uint8Array | null) => void) | null = null;
  const written: string[] = [];
  const state = {
    closed: false,
    ended: false,
    /** Closed, or half-closed by the table (the full close follows). */
    get shut() {
      return this.closed || this.ended;
    },
  };
  const deliver = (chunk: Uint8Array | null) => {
    if (waiter !== null) {
      const resolve = waiter;
      waiter = null;
      resolve(chunk);
    } else inbox.push(chunk);
  };
  const conn: Connection = {
    read: () => (inbox.length > 0 ? Promise.resolve(inbox.shift() ?? null) : state.closed ? Promise.resolve(null) : new Promise((resolve) => (waiter = resolve))),
    write: async (bytes) => {
      if (state.closed) throw new Error("socket closed");
      written.push(decoder.decode(bytes));
    },
    end: () => {
      state.ended = true;
    },
    close: () => {
      state.closed = true;
      deliver(null);
    },
  };
  return { conn, state, written, send: (text: string) => deliver(encoder.encode(text)), hangUp: () => deliver(null) };
}

const LIMITS: ClientLimits = { maxConnections: 3, maxBytesPerConnection: 100, maxTotalBytes: 120, idleTimeoutSecs: () => 0.3 };

/** A table whose answers echo the request, each held until `release()` when `hold` is set. */
function table(limits: Partial<ClientLimits> = {}, hold = false) {
  const clock = createFakeClock();
  const held: Array<() => void> = [];
  const clients = createClientTable(
    async (line) => {
      if (hold) await new Promise<void>((resolve) => held.push(resolve));
      return encoder.encode(`re:${decoder.decode(line)}\n`);
    },
    { ...LIMITS, ...limits },
    clock,
  );
  return { clients, clock, release: () => held.splice(0).forEach((resolve) => resolve()) };
}

describe("the control server's client table", () => {
  test("answers lines in order, a last line without newline at the end, then half-closes", async () => {
    const { clients } = table();
    const client = fakeConnection();
    clients.accept(client.conn);
    client.send("a\nb\nc");
    client.hangUp();
    await tick();
    expect(client.written).toEqual(["re:a\n", "re:b\n", "re:c\n"]);
    expect([client.state.closed, client.state.ended]).toEqual([false, true]);
    expect(clients.size).toBe(0);
  });

  test("an idle connection is closed after the timeout with an error; a partial line does not keep it open, a request being answered does", async () => {
    const { clients, clock, release } = table({}, true);
    const idle = fakeConnection();
    const partial = fakeConnection();
    const waiting = fakeConnection();
    for (const c of [idle, partial, waiting]) clients.accept(c.conn);
    partial.send('{"cmd":"sta');
    waiting.send("slow\n");
    await tick();
    clock.advance(299);
    expect([idle.state.shut, partial.state.shut]).toEqual([false, false]);
    clock.advance(1);
    await tick();
    expect(idle.written).toEqual(['{"ok":false,"error":"idle for 0.3s; closing the connection"}\n']);
    // Half-closed after the reply, so the client reads it; closed for good a second later.
    expect([idle.state.ended, idle.state.closed]).toEqual([true, false]);
    clock.advance(1000);
    expect(idle.state.closed).toBe(true);
    expect([idle.state.shut, partial.state.shut, waiting.state.shut]).toEqual([true, true, false]);
    clock.advance(10_000);
    expect(waiting.state.shut).toBe(false);
    release();
    await tick();
    expect(waiting.written).toEqual(["re:slow\n"]);
    // Idle again from the answer on.
    clock.advance(300);
    await tick();
    expect(waiting.state.shut).toBe(true);
    expect(clients.heldBytes).toBe(0);
  });

  test("a byte at a time without a newline does not keep a connection from the idle timeout", async () => {
    const { clients, clock } = table();
    const slow = fakeConnection();
    clients.accept(slow.conn);
    for (let i = 0; i < 2; i++) {
      clock.advance(100);
      slow.send("{");
      await tick();
    }
    clock.advance(100);
    await tick();
    expect(slow.state.shut).toBe(true);
  });

  test("0 never closes an idle connection", async () => {
    const { clients, clock } = table({ idleTimeoutSecs: () => 0 });
    const idle = fakeConnection();
    clients.accept(idle.conn);
    await tick();
    clock.advance(3_600_000);
    expect(idle.state.shut).toBe(false);
  });

  test("past the total cap the connection holding the most is closed, and its bytes are released", async () => {
    const { clients } = table();
    const [a, b, c] = [fakeConnection(), fakeConnection(), fakeConnection()];
    for (const x of [a, b, c]) clients.accept(x.conn);
    a.send("x".repeat(50));
    b.send("y".repeat(40));
    await tick();
    expect(clients.heldBytes).toBe(90);
    c.send("z".repeat(35));
    await tick();
    expect(a.state.shut).toBe(true);
    expect(a.written[0]).toContain("closing the connection holding the most (50 bytes)");
    expect([b.state.shut, c.state.shut]).toEqual([false, false]);
    expect(clients.heldBytes).toBe(75);
  });

  test("one connection over its own cap is closed", async () => {
    const { clients } = table();
    const flood = fakeConnection();
    clients.accept(flood.conn);
    flood.send("f".repeat(101));
    await tick();
    expect(flood.state.shut).toBe(true);
    expect(flood.written[0]).toContain("more than 100 bytes of requests wait for answers");
    expect(clients.heldBytes).toBe(0);
  });

  test("a full table closes the connection idle the longest to let a new one in; refuses only when all are busy", async () => {
    const { clients, clock, release } = table({ idleTimeoutSecs: () => 0 }, true);
    const [a, b, c] = [fakeConnection(), fakeConnection(), fakeConnection()];
    clients.accept(a.conn);
    clock.advance(10);
    clients.accept(b.conn);
    clock.advance(10);
    clients.accept(c.conn);
    await tick();
    const d = fakeConnection();
    clients.accept(d.conn);
    await tick();
    expect(a.state.shut).toBe(true);
    expect(a.written[0]).toContain("too many connections (3); closing the one idle the longest");
    expect(clients.size).toBe(3);
    for (const x of [b, c, d]) x.send("work\n");
    await tick();
    const e = fakeConnection();
    clients.accept(e.conn);
    await tick();
    expect(e.written).toEqual(['{"ok":false,"error":"too many connections (3), all of them busy; try again later"}\n']);
    expect([b.state.shut, c.state.shut, d.state.shut, e.state.shut]).toEqual([false, false, false, true]);
    release();
    await tick();
    expect(b.written).toEqual(["re:work\n"]);
  });

  test("out of descriptors, the connection idle the longest is closed; none when all are busy", async () => {
    const { clients, clock, release } = table({ idleTimeoutSecs: () => 0 }, true);
    const [a, b] = [fakeConnection(), fakeConnection()];
    clients.accept(a.conn);
    clock.advance(10);
    clients.accept(b.conn);
    await tick();
    clients.makeRoom();
    await tick();
    expect([a.state.shut, b.state.shut]).toEqual([true, false]);
    expect(a.written[0]).toContain("the manager is out of file descriptors; closing the one idle the longest");
    b.send("work\n");
    await tick();
    clients.makeRoom();
    expect(b.state.shut).toBe(false);
    release();
  });
});
