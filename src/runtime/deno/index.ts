import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { signalNumber } from "../signals.ts";
import { importFreshByUrl } from "../import-fresh.ts";
import { webReadableToByteStream } from "../web-streams.ts";
import { openStdioFiles, toSpawnError } from "../stdio-files.ts";
import { SpawnError } from "../types.ts";
import type { ByteSink, ChildHandle, Connection, ExitStatus, ListenUnixOptions, Runtime, SignalName, SpawnOptions, UnixListener } from "../types.ts";

type DenoStdio = "piped" | "inherit" | "null";

const READ_CHUNK_BYTES = 64 * 1024;

function toDenoStdio(stdio: SpawnOptions["stdout"] | SpawnOptions["stdin"]): DenoStdio {
  if (stdio === "pipe") return "piped";
  if (stdio === "ignore") return "null";
  return "inherit";
}

/**
 * Deno.Command cannot hand a file descriptor to a child, so when a stream goes
 * to a file the child starts as `sh -c 'exec "$@" >>file'`: the shell opens the
 * file for append and replaces itself with the real program, which keeps the
 * pid (and the process-group leadership) of the process we spawned.
 */
function withRedirections(options: SpawnOptions): { argv: string[]; stdout: DenoStdio; stderr: DenoStdio } {
  const argv = [...options.argv];
  const out = typeof options.stdout === "object" ? options.stdout.file : null;
  const err = typeof options.stderr === "object" ? options.stderr.file : null;
  const merge = options.stderr === "stdout";
  if (out === null && err === null && !merge) {
    return { argv, stdout: toDenoStdio(options.stdout), stderr: toDenoStdio(options.stderr as SpawnOptions["stdout"]) };
  }
  const redirections: string[] = [];
  if (out !== null) redirections.push('>>"$GC_STDOUT_FILE"');
  if (merge) redirections.push("2>&1");
  else if (err !== null) redirections.push('2>>"$GC_STDERR_FILE"');
  const script = `GC_STDOUT_FILE=$1 GC_STDERR_FILE=$2; shift 2; exec "$@" ${redirections.join(" ")}`;
  return {
    argv: ["/bin/sh", "-c", script, "sh", out ?? "", err ?? "", ...argv],
    stdout: out !== null ? "inherit" : toDenoStdio(options.stdout),
    stderr: err !== null || merge ? "inherit" : toDenoStdio(options.stderr as SpawnOptions["stdout"]),
  };
}

function writableToByteSink(stream: WritableStream<Uint8Array>): ByteSink {
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes),
    end: () => {
      writer.close().catch(() => {});
    },
  };
}

function killDeno(pid: number, signal: SignalName | 0): boolean {
  try {
    // Deno.kill has no signal 0 (an existence check); Deno's node:process does.
    if (signal === 0) process.kill(pid, 0);
    else Deno.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH" || /ESRCH/.test(String(error))) return false;
    throw error;
  }
}

/** Spawns with Deno.Command; `detached` makes the child a session and group leader. */
async function spawnDeno(options: SpawnOptions): Promise<ChildHandle> {
  // Validates the working directory and creates/opens the log files exactly
  // as the other runtimes do; the shell reopens them for the child.
  if ((options.extraFds ?? []).length > 0) throw new SpawnError("Deno cannot pass descriptors to a child", options.argv);
  openStdioFiles(options).close();
  const { argv, stdout, stderr } = withRedirections(options);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0] ?? "", {
      args: argv.slice(1),
      cwd: options.cwd,
      env: options.env === undefined ? undefined : { ...options.env },
      clearEnv: options.env !== undefined,
      stdin: toDenoStdio(options.stdin),
      stdout,
      stderr,
      detached: options.processGroup ?? false,
    }).spawn();
  } catch (cause) {
    throw toSpawnError(cause, options.argv);
  }
  const pid = child.pid;
  const exited: Promise<ExitStatus> = child.status.then((status) =>
    status.signal !== null ? { exitCode: null, signal: status.signal } : { exitCode: status.code, signal: null },
  );
  return {
    pid,
    exited,
    kill: (signal) => {
      try {
        child.kill(signal);
        return true;
      } catch {
        return false;
      }
    },
    killGroup: (signal) => killDeno(-pid, signal),
    stdin: options.stdin === "pipe" ? writableToByteSink(child.stdin) : null,
    stdout: stdout === "piped" ? webReadableToByteStream(child.stdout) : null,
    stderr: stderr === "piped" ? webReadableToByteStream(child.stderr) : null,
  };
}

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

async function listenUnixDeno(
  path: string,
  onConnection: (conn: Connection) => void,
  _options: ListenUnixOptions,
): Promise<UnixListener> {
  // Deno reads each connection on demand (pull), so unread bytes stay in the
  // kernel's buffer and need no cap of our own.
  const listener = Deno.listen({ transport: "unix", path });
  (async () => {
    for await (const conn of listener) onConnection(connToConnection(conn));
  })().catch(() => {
    // The listener was closed: the accept loop ends here.
  });
  return {
    path,
    close: () => {
      try {
        listener.close();
      } catch {
        // already closed
      }
    },
  };
}

async function connectUnixDeno(path: string): Promise<Connection> {
  return connToConnection(await Deno.connect({ transport: "unix", path }));
}

const PR_SET_PDEATHSIG = 1;

function setParentDeathSignalDeno(signal: SignalName): boolean {
  if (Deno.build.os !== "linux") return false;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return false;
  try {
    const libc = Deno.dlopen("libc.so.6", { prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" } });
    const result = libc.symbols.prctl?.(PR_SET_PDEATHSIG, BigInt(signalNumber(signal, "linux")), 0n, 0n, 0n);
    libc.close();
    return result === 0;
  } catch {
    return false;
  }
}

function watchStdinCloseDeno(onClosed: () => void): void {
  const reader = Deno.stdin.readable.getReader();
  (async () => {
    try {
      while (!(await reader.read()).done) {
        // The lifeline carries no data.
      }
    } catch {
      // A read error means the pipe is gone as well.
    }
    onClosed();
  })();
}

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/** The `--allow-*` flags this process was granted, for a child to get the same. */
function grantedPermissionFlags(): string[] {
  const flags: string[] = [];
  for (const name of PERMISSIONS) {
    try {
      if (Deno.permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
    } catch {
      // an older Deno without this permission kind
    }
  }
  return flags;
}

/** The deno.json that applies to `entry`, so a child with another cwd resolves imports the same way. */
function findDenoConfig(entry: string): string | null {
  let dir = dirname(entry);
  for (;;) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The Deno implementation of `Runtime`. */
export function createDenoRuntime(): Runtime {
  return {
    name: "deno",
    version: Deno.version.deno,
    pid: Deno.pid,
    ppid: () => Deno.ppid,
    args: Deno.args,
    cwd: () => Deno.cwd(),
    env: () => Deno.env.toObject(),
    exit: (code) => Deno.exit(code),
    execve: null,
    write: async (stream, text) => {
      const bytes = new TextEncoder().encode(text);
      const target = stream === "stdout" ? Deno.stdout : Deno.stderr;
      let offset = 0;
      while (offset < bytes.length) offset += await target.write(bytes.subarray(offset));
    },
    setExitCode: (code) => {
      Deno.exitCode = code;
    },
    collectGarbage: () => {},
    spawn: spawnDeno,
    kill: killDeno,
    onSignal: (signal, handler) => {
      const listener = () => handler();
      Deno.addSignalListener(signal, listener);
      return () => Deno.removeSignalListener(signal, listener);
    },
    setParentDeathSignal: setParentDeathSignalDeno,
    watchStdinClose: watchStdinCloseDeno,
    httpSharing: "reuse-port",
    serveHttp: async (target, handler) => (await import("./http.ts")).serveHttpDeno(target, handler),
    openSharedListener: () => Promise.reject(new Error("Deno workers bind with SO_REUSEPORT; there is no shared listener")),
    listenUnix: listenUnixDeno,
    connectUnix: connectUnixDeno,
    importFresh: importFreshByUrl,
    provideModule: () => false,
    snapshot: () => {
      const entry = fileURLToPath(Deno.mainModule);
      const config = findDenoConfig(entry);
      return {
        runtime: "deno",
        execPath: Deno.execPath(),
        entry,
        compiled: false,
        // --unstable-net: HTTP workers bind with SO_REUSEPORT, which Deno keeps behind it.
        runtimeFlags: [...grantedPermissionFlags(), ...(config === null ? [] : ["--config", config]), "--unstable-net", "--no-prompt"],
      };
    },
  };
}
