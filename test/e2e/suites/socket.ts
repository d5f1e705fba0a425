/**
 * The control socket under real clients: malformed lines, the 1 MiB cap, many
 * clients at once while another holds half a line, socket modes, stale and
 * live sockets.
 */
import { expect } from "bun:test";
import { existsSync, statSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { join } from "node:path";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, isAlive, rawRequest, runCli, startMaster, waitFor, withMaster } from "../../helpers/master.ts";
import { makeTempDir } from "../../helpers/temp.ts";
import { e2e } from "../e2e-test.ts";

/** A client connection that collects reply lines; `first` is written as soon as the connection is made. */
function openClient(socket: string, first?: string): Promise<{ conn: Socket; lines: string[]; closed: Promise<void>; next(count: number): Promise<string[]> }> {
  return new Promise((resolve, reject) => {
    const conn = createConnection({ path: socket });
    if (first !== undefined) conn.write(first);
    const lines: string[] = [];
    let buffer = "";
    const closed = new Promise<void>((done) => conn.on("close", () => done()));
    conn.on("data", (chunk) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        lines.push(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf("\n");
      }
    });
    conn.on("error", () => {});
    conn.once("connect", () =>
      resolve({ conn, lines, closed, next: (count) => waitFor(() => (lines.length >= count ? lines.slice(0, count) : null), `${count} replies`, 10_000) }),
    );
    conn.once("error", reject);
  });
}

export function socketTests(launcher: Launcher): void {
  e2e("malformed requests get an error each and the connection stays usable", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      const { a } = await run.waitStates({ a: "RUNNING" });
      const client = await openClient(run.socket);
      const bad = [
        "not json",
        "[1,2,3]",
        '"a string"',
        '{"name":"a"}',
        '{"cmd":42}',
        '{"cmd":"explode"}',
        '{"cmd":"start"}',
        '{"cmd":"stop","name":"nobody"}',
        '{"cmd":"restart","name":7}',
      ];
      client.conn.write(Buffer.concat([Buffer.from(`${bad.join("\n")}\n`), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('{"cmd":"status"}\n')]));
      const replies = (await client.next(bad.length + 2)).map((line) => JSON.parse(line));
      for (const reply of replies.slice(0, -1)) {
        expect(Object.keys(reply).sort()).toEqual(["error", "ok"]);
        expect(reply.ok).toBe(false);
      }
      expect(replies.map((r) => r.error).slice(5, 8)).toEqual([
        'unknown cmd "explode"; expected one of status, start, stop, restart, signal, reread, logs',
        '"start" needs "name", the companion\'s name',
        'unknown companion "nobody"',
      ]);
      expect(replies.at(-2).error).toBe("request is not valid UTF-8");
      expect(replies.at(-1)).toMatchObject({ ok: true, companions: [{ name: "a", pid: a?.pid }] });
      client.conn.destroy();
      expect((await run.statusOf("a")).pid).toBe(a?.pid ?? -1);
    });
  });

  e2e("a line over 1 MiB closes that connection only", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a")] } }, async (run) => {
      await run.waitStates({ a: "RUNNING" });
      const other = await openClient(run.socket);
      const flood = await openClient(run.socket);
      flood.conn.write(Buffer.alloc(1024 * 1024 + 10, 0x61));
      await flood.closed;
      expect(flood.lines.map((line) => JSON.parse(line))).toEqual([{ ok: false, error: "request line longer than 1048576 bytes; closing the connection" }]);
      other.conn.write('{"cmd":"status"}\n');
      expect(JSON.parse((await other.next(1))[0] ?? "")).toMatchObject({ ok: true });
      other.conn.destroy();
      // A line of exactly 1 MiB is still a request (an invalid one).
      const big = await openClient(run.socket);
      big.conn.write(`${"x".repeat(1024 * 1024)}\n{"cmd":"status"}\n`);
      const replies = (await big.next(2)).map((line) => JSON.parse(line));
      expect(replies[0]).toMatchObject({ ok: false });
      expect(replies[1]).toMatchObject({ ok: true });
      big.conn.destroy();
    });
  });

  e2e("100 concurrent status clients are answered while another holds half a line", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a"), fixture("b")] } }, async (run) => {
      await run.waitStates({ a: "RUNNING", b: "RUNNING" });
      const holder = await openClient(run.socket);
      holder.conn.write('{"cmd":"sta');
      const silent = await openClient(run.socket);
      const started = Date.now();
      const replies = await Promise.all(Array.from({ length: 100 }, () => rawRequest(run.socket, { cmd: "status" })));
      const elapsed = Date.now() - started;
      expect(replies.every((reply) => reply.ok === true && (reply.companions as unknown[]).length === 2)).toBe(true);
      expect(elapsed).toBeLessThan(10_000);
      holder.conn.write('tus"}\n');
      expect(JSON.parse((await holder.next(1))[0] ?? "")).toMatchObject({ ok: true });
      holder.conn.destroy();
      silent.conn.destroy();
    });
  });

  // That a connection with a request in progress is never closed as idle is proved with a fake clock
  // (src/control/clients.test.ts): here a loaded machine could stall a client for 0.3 s itself.
  e2e("idle connections are closed after companion_control_idle_timeout (0.3 s), one holding half a line too", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_control_idle_timeout: 0.3, companion_workers: [fixture("a")] } }, async (run) => {
      const started = performance.now();
      const idle = await openClient(run.socket);
      const partial = await openClient(run.socket);
      partial.conn.write('{"cmd":"sta');
      await Promise.all([idle.closed, partial.closed]);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      // Far under the 60 s default, whatever the load.
      expect(elapsed).toBeLessThan(20_000);
      for (const client of [idle, partial]) expect(client.lines.map((line) => JSON.parse(line))).toEqual([{ ok: false, error: "idle for 0.3s; closing the connection" }]);
    });
  });

  e2e("a reread that changes companion_control_idle_timeout applies to the next idle period", async () => {
    const config = { ...FAST, companion_workers: [fixture("a")] };
    await withMaster(launcher, { config }, async (run) => {
      const before = await openClient(run.socket);
      run.writeConfig({ ...config, companion_control_idle_timeout: 0.2 });
      expect(await run.cli(["reread", "-s", run.socket])).toMatchObject({ code: 0, stderr: "" });
      const after = await openClient(run.socket);
      await after.closed;
      expect(after.lines.map((line) => JSON.parse(line))).toEqual([{ ok: false, error: "idle for 0.2s; closing the connection" }]);
      // The connection idle since before the reread keeps the timeout it started with (60 s).
      expect(before.conn.destroyed).toBe(false);
      before.conn.destroy();
    });
  });

  e2e("the socket is created 0600 by default, or with companion_control_socket_mode", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [] } }, async (run) => {
      expect(statSync(run.socket).mode & 0o777).toBe(0o600);
    });
    await withMaster(launcher, { config: { ...FAST, companion_control_socket_mode: "0660", companion_workers: [] } }, async (run) => {
      expect(statSync(run.socket).mode & 0o777).toBe(0o660);
    });
  });

  e2e("a stale socket file is replaced; a live one is never stolen", async () => {
    const tmp = makeTempDir("gcs");
    try {
      // Stale: a socket file with nobody listening (its process died without removing it).
      const stale = join(tmp.dir, "stale.sock");
      const holder = Bun.spawn([process.execPath, "-e", `require("node:net").createServer().listen(${JSON.stringify(stale)}, () => console.log("up"))`], { stdout: "pipe" });
      const reader = holder.stdout.getReader();
      await reader.read();
      holder.kill("SIGKILL");
      await holder.exited;
      expect(existsSync(stale)).toBe(true);
      const run = await startMaster(launcher, { config: { ...FAST, companion_control_socket: stale, companion_workers: [fixture("a")] } });
      try {
        await waitFor(async () => (await rawRequest(stale, { cmd: "status" }).catch(() => null))?.ok === true, "the new socket to answer");
        // Live: a second master with the same socket exits with a clear error and takes nothing.
        const configFile = join(tmp.dir, "second.json");
        writeFileSync(configFile, JSON.stringify({ companion_control_socket: stale, companion_workers: [fixture("b")] }));
        const second = await runCli(launcher, ["master", "-c", configFile], { cwd: tmp.dir, env: { FIXTURE_DIR: tmp.dir, TMPDIR: tmp.dir } });
        expect(second.code).toBe(1);
        expect(second.stderr).toContain(`control socket ${stale} is in use by a running manager`);
        expect(await rawRequest(stale, { cmd: "status" })).toMatchObject({ ok: true, companions: [{ name: "a" }] });
      } finally {
        run.cleanup();
      }
      // Not a socket: refused, never unlinked.
      const regular = join(tmp.dir, "regular.sock");
      writeFileSync(regular, "keep me");
      const configFile = join(tmp.dir, "third.json");
      writeFileSync(configFile, JSON.stringify({ companion_control_socket: regular, companion_workers: [] }));
      const third = await runCli(launcher, ["master", "-c", configFile], { cwd: tmp.dir, env: { TMPDIR: tmp.dir } });
      expect(third.code).not.toBe(0);
      expect(third.stderr + third.stdout).toContain(`control socket path ${regular} exists and is not a socket; refusing to replace it`);
      expect(Bun.file(regular).size).toBe(7);
    } finally {
      tmp.cleanup();
    }
  });

  e2e("SIGTERM removes the socket file and leaves no process", async () => {
    await withMaster(launcher, { config: { ...FAST, companion_workers: [fixture("a"), fixture("kids", "spawnChild")] } }, async (run) => {
      const states = await run.waitStates({ a: "RUNNING", kids: "RUNNING" });
      await run.waitReady("a", states.a?.pid);
      await run.waitReady("kids", states.kids?.pid);
      const manager = run.managerPid();
      expect(manager).not.toBeNull();
      run.signal("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(existsSync(run.socket)).toBe(false);
      expect(isAlive(manager ?? 0)).toBe(false);
      expect(run.fixturePids().length).toBeGreaterThanOrEqual(3);
      for (const { pid, what } of run.fixturePids()) expect({ pid, what, alive: isAlive(pid) }).toEqual({ pid, what, alive: false });
      // Nothing left in the temp dir but what the test wrote: no state dir.
      expect((await Array.fromAsync(new Bun.Glob("gunicorn-companion-*").scan({ cwd: run.dir, onlyFiles: false }))).length).toBe(0);
    });
  });
}
