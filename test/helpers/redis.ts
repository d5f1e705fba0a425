/**
 * A private redis-server for a test: its own free port and temp dir, no
 * persistence (--save '' --appendonly no), killed by pid afterwards; and a
 * pausable TCP proxy in front of it, one per master, to cut a master off
 * Redis silently (the connection stays open, nothing gets through).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { freePort } from "./ports.ts";
import { waitFor } from "./processes.ts";

/** Sends one inline command and resolves with the first reply line (or rejects); over TLS when given the CA. */
export function redisCommand(port: number, command: string, ca: string | null = null): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = ca === null ? createConnection({ host: "127.0.0.1", port }) : tlsConnect({ host: "127.0.0.1", port, ca: readFileSync(ca) });
    let buffer = "";
    conn.on("data", (chunk) => {
      buffer += chunk.toString();
      const end = buffer.indexOf("\r\n");
      if (end >= 0) {
        conn.destroy();
        resolve(buffer.slice(0, end));
      }
    });
    conn.on("error", reject);
    conn.setTimeout(2000, () => {
      conn.destroy();
      reject(new Error("redis did not answer"));
    });
    conn.write(`${command}\r\n`);
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** With TLS: the CA file that signed its certificate (clients trust it through NODE_EXTRA_CA_CERTS, DENO_CERT). */
  readonly ca: string | null;
  /** SIGKILLs it (its data is gone: nothing is persisted). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
}

/** A CA and a server certificate for 127.0.0.1, made with openssl in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const file = (name: string) => join(dir, name);
  const run = (args: string[]) => {
    const result = spawnSync("openssl", args, { cwd: dir, stdio: "ignore" });
    if (result.status !== 0) throw new Error(`openssl ${args.join(" ")} failed`);
  };
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"), "-days", "2", "-subj", "/CN=lease-test-ca"]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", file("redis.key"), "-out", file("redis.csr"), "-subj", "/CN=127.0.0.1"]);
  writeFileSync(file("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(["x509", "-req", "-in", file("redis.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-out", file("redis.crt"), "-days", "2", "-extfile", file("ext.cnf")]);
  return { ca: file("ca.crt"), cert: file("redis.crt"), key: file("redis.key") };
}

/**
 * Starts redis-server on a free port with `dir` as its working directory;
 * with `password`, clients must give it (the URL carries it); with `tls`,
 * it speaks only TLS (`rediss://`, a certificate openssl makes in `dir`).
 */
export async function startRedis(dir: string, password: string | null = null, tls = false): Promise<RedisServer> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const auth = password === null ? [] : ["--requirepass", password];
  const certs = tls ? makeCertificates(dir) : null;
  const listen =
    certs === null
      ? ["--port", String(port)]
      : ["--port", "0", "--tls-port", String(port), "--tls-cert-file", certs.cert, "--tls-key-file", certs.key, "--tls-ca-cert-file", certs.ca, "--tls-auth-clients", "no"];
  const server: RedisServer = {
    port,
    url: `${tls ? "rediss" : "redis"}://${password === null ? "" : `:${encodeURIComponent(password)}@`}127.0.0.1:${port}/0`,
    ca: certs?.ca ?? null,
    async start() {
      proc = spawn("redis-server", [...listen, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, ...auth], {
        cwd: dir,
        stdio: "ignore",
        env: { ...process.env, TMPDIR: dir },
      });
      // Up once it answers at all (with a password, a PING without AUTH is refused).
      await waitFor(() => redisCommand(port, "PING", certs?.ca ?? null).then((r) => r === "+PONG" || r.startsWith("-NOAUTH"), () => false), `redis-server on port ${port}`, 10_000);
    },
    async kill() {
      const current = proc;
      proc = null;
      if (current === null || current.exitCode !== null) return;
      const gone = new Promise((resolve) => current.once("exit", resolve));
      current.kill("SIGKILL");
      await gone;
    },
  };
  await server.start();
  return server;
}

export interface PausableProxy {
  readonly port: number;
  /** Nothing gets through either way (sockets stay open) until `resume`. */
  pause(): void;
  resume(): void;
  close(): void;
}

/** A TCP proxy from a free port to `targetPort` on 127.0.0.1; while paused, what arrives is held back (as a partitioned network would). */
export async function startProxy(targetPort: number): Promise<PausableProxy> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  const flushers = new Set<() => void>();
  let paused = false;
  const forward = (from: Socket, to: Socket) => {
    const held: Buffer[] = [];
    const flush = () => {
      for (const chunk of held.splice(0)) to.write(chunk);
    };
    flushers.add(flush);
    from.on("data", (chunk: Buffer) => (paused ? held.push(chunk) : to.write(chunk)));
    from.on("close", () => flushers.delete(flush));
  };
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: "127.0.0.1", port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const flush of flushers) flush();
    },
    close() {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
