/**
 * Chaos: hostile clients on the control socket — random bytes, invalid UTF-8,
 * a 10 MB line, deeply nested JSON, 1,000 connections at once, connections
 * sending one byte a second, connections that never read their replies.
 * Meanwhile a well-behaved client keeps getting prompt answers, the companions
 * are untouched, and the manager's memory stays bounded.
 */
import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { createConnection, type Socket } from "node:net";
import { percentile } from "../../bench/lib.ts";
import { rssMiB } from "../../bench/proc.ts";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { FAST, fixture, rawRequest, withMaster } from "../helpers/master.ts";
import { sleep } from "../helpers/processes.ts";

function connectOnce(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.on("error", () => {});
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/**
 * Connects; a connect refused because the listen backlog is full (1,000 at once
 * on a loaded machine: Bun.listen takes no backlog option) is tried again, as
 * any client would. Other errors fail the test.
 */
async function open(path: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectOnce(path);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 100 || (code !== "ECONNREFUSED" && code !== "EAGAIN")) throw error;
      await sleep(20);
    }
  }
}

test("hostile clients never delay the others, touch the companions, or grow the manager without bound", async () => {
  const config = { ...FAST, companion_workers: [fixture("a"), fixture("b")] };
  await withMaster(LAUNCHERS.binary, { config }, async (run) => {
    const before = await run.waitStates({ a: "RUNNING", b: "RUNNING" });
    const manager = run.managerPid() ?? 0;
    const rssBefore = rssMiB(manager);
    const hostile: Socket[] = [];
    let stop = false;

    // A well-behaved client, timed throughout.
    const times: number[] = [];
    let failures = 0;
    const probe = (async () => {
      while (!stop) {
        const started = performance.now();
        const reply = await rawRequest(run.socket, { cmd: "status" }).catch(() => null);
        if (reply?.ok === true) times.push(performance.now() - started);
        else failures += 1;
        await sleep(10);
      }
    })();

    // Garbage of every kind, each answered with an error or a closed connection.
    for (const payload of [randomBytes(64 * 1024), Buffer.from([0xc3, 0x28, 0xff, 0x0a]), Buffer.from(`${"[".repeat(1_000_000)}\n`), Buffer.from(`{"cmd":"status","x":${"{\"a\":".repeat(50_000)}1${"}".repeat(50_000)}}\n`)]) {
      const socket = await open(run.socket);
      socket.write(payload);
      hostile.push(socket);
    }
    // A 10 MB line: the connection is closed at 1 MiB.
    const big = await open(run.socket);
    const bigClosed = new Promise<void>((resolve) => big.once("close", () => resolve()));
    big.write(Buffer.alloc(10 * 1024 * 1024, 0x61));
    // 1,000 connections at once, half idle, half asking for status.
    const many = await Promise.all(Array.from({ length: 1000 }, () => open(run.socket)));
    const manyAnswers = Promise.all(
      many.slice(0, 500).map(
        (socket) =>
          new Promise<boolean>((resolve) => {
            socket.once("data", () => resolve(true));
            socket.once("close", () => resolve(false));
            socket.write('{"cmd":"status"}\n');
          }),
      ),
    );
    hostile.push(...many);
    // Slow clients: one byte a second.
    const slow = await Promise.all(Array.from({ length: 20 }, () => open(run.socket)));
    hostile.push(...slow);
    const slowTimer = setInterval(() => {
      for (const socket of slow) socket.write("{");
    }, 1000);
    // Clients that never read: requests piled up until they are closed for it.
    for (let i = 0; i < 5; i++) {
      const socket = await open(run.socket);
      socket.pause();
      socket.write('{"cmd":"status"}\n'.repeat(200_000));
      hostile.push(socket);
    }

    await bigClosed;
    expect((await manyAnswers).every(Boolean)).toBe(true);
    await sleep(3000);
    stop = true;
    await probe;
    clearInterval(slowTimer);

    expect(failures).toBe(0);
    expect(times.length).toBeGreaterThan(50);
    expect(percentile(times, 99)).toBeLessThan(100);
    const after = await run.status();
    expect(after.map((c) => c.pid)).toEqual([before.a?.pid ?? -1, before.b?.pid ?? -1]);
    const rssAfter = rssMiB(manager);
    console.log(`hostile clients: status p99 ${percentile(times, 99).toFixed(1)} ms over ${times.length} requests; manager RSS ${rssBefore.toFixed(0)} -> ${rssAfter.toFixed(0)} MiB`);
    for (const socket of hostile) socket.destroy();
    expect(rssAfter).toBeLessThan(rssBefore + 64);
    // Once they are gone, the manager is as it was: nothing held for them.
    await sleep(500);
    expect((await rawRequest(run.socket, { cmd: "status" })).ok).toBe(true);
  });
}, 120_000);
