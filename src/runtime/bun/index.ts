import { connectUnixBun, listenUnixBun } from "./sockets.ts";
import { killPid, nodeProcessBasics } from "../node/process.ts";
import { signalNumber } from "../signals.ts";
import type { ByteSink, ChildHandle, ExitStatus, Runtime, SignalName, SpawnOptions, Stdio } from "../types.ts";
import { webReadableToByteStream } from "../web-streams.ts";

// Modules that need node:fs/node:module are loaded on first use: a ctl call
// never spawns or imports a config, and Bun takes milliseconds to load them.
const loadStdioFiles = () => import("../stdio-files.ts");

type BunStdio = "inherit" | "pipe" | "ignore" | number;

function toBunStdio(stdio: Stdio | undefined, fd: number | null): BunStdio {
  if (fd !== null) return fd;
  if (stdio === undefined || typeof stdio === "object") return "inherit";
  return stdio;
}

function fileSinkToByteSink(sink: Bun.FileSink): ByteSink {
  return {
    write: async (bytes) => {
      sink.write(bytes);
      await sink.flush();
    },
    end: () => {
      try {
        sink.end();
      } catch {
        // the child is gone and the pipe with it
      }
    },
  };
}

/** Spawns with Bun.spawn; `detached` makes the child a session and group leader. */
async function spawnBun(options: SpawnOptions): Promise<ChildHandle> {
  const { argv } = options;
  const { openStdioFiles, toSpawnError } = await loadStdioFiles();
  const files = openStdioFiles(options);
  let proc: Bun.Subprocess<"pipe" | "ignore" | "inherit", "pipe" | "ignore" | "inherit" | number, "pipe" | "ignore" | "inherit" | number>;
  try {
    const stdout = toBunStdio(options.stdout, files.stdout);
    proc = Bun.spawn([...argv], {
      cwd: options.cwd,
      env: options.env === undefined ? undefined : { ...options.env },
      stdio: [options.stdin ?? "ignore", stdout, options.stderr === "stdout" ? stdout : toBunStdio(options.stderr, files.stderr), ...(options.extraFds ?? [])],
      detached: options.processGroup ?? false,
    });
  } catch (cause) {
    throw toSpawnError(cause, argv);
  } finally {
    files.close();
  }
  const pid = proc.pid;
  const exited = proc.exited.then(
    (): ExitStatus => (proc.signalCode ? { exitCode: null, signal: String(proc.signalCode) } : { exitCode: proc.exitCode ?? 0, signal: null }),
  );
  return {
    pid,
    exited,
    kill: (signal) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      proc.kill(signal);
      return true;
    },
    killGroup: (signal) => killPid(-pid, signal),
    stdin: typeof proc.stdin === "object" && proc.stdin !== null ? fileSinkToByteSink(proc.stdin) : null,
    stdout: proc.stdout instanceof ReadableStream ? webReadableToByteStream(proc.stdout) : null,
    stderr: proc.stderr instanceof ReadableStream ? webReadableToByteStream(proc.stderr) : null,
  };
}

const PR_SET_PDEATHSIG = 1;

/** prctl(PR_SET_PDEATHSIG) through bun:ffi; false off Linux or when libc cannot be opened. */
function setParentDeathSignalBun(signal: SignalName): boolean {
  if (process.platform !== "linux") return false;
  try {
    const { dlopen, FFIType } = import.meta.require("bun:ffi") as typeof import("bun:ffi");
    const libc = dlopen("libc.so.6", {
      prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
    });
    const result = libc.symbols.prctl(PR_SET_PDEATHSIG, signalNumber(signal, "linux"), 0, 0, 0);
    libc.close();
    return result === 0;
  } catch {
    return false;
  }
}

/** A virtual module through Bun's runtime plugin API. */
function provideModuleBun(specifier: string, exports: Record<string, unknown>): boolean {
  Bun.plugin({
    name: `virtual:${specifier}`,
    setup(build) {
      build.module(specifier, () => ({ exports, loader: "object" }));
    },
  });
  return true;
}

/** True when this code runs inside a `bun build --compile` executable. */
function isCompiled(): boolean {
  // Bun mounts the embedded sources under /$bunfs (B:/~BUN on Windows).
  return Bun.main.startsWith("/$bunfs/") || Bun.main.includes("~BUN");
}

/** The Bun implementation of `Runtime`. */
export function createBunRuntime(): Runtime {
  const compiled = isCompiled();
  return {
    name: "bun",
    version: Bun.version,
    ...nodeProcessBasics(),
    // Bun builds process.stdout lazily, at a cost of ~20 ms: a ctl call writes through Bun.write.
    write: async (stream, text) => {
      await Bun.write(stream === "stdout" ? Bun.stdout : Bun.stderr, text);
    },
    httpSharing: "reuse-port",
    serveHttp: async (target, handler) => (await import("./http.ts")).serveHttpBun(target, handler),
    openSharedListener: () => Promise.reject(new Error("Bun workers bind with SO_REUSEPORT; there is no shared listener")),
    listenUnix: listenUnixBun,
    connectUnix: connectUnixBun,
    collectGarbage: () => Bun.gc(true),
    spawn: spawnBun,
    setParentDeathSignal: setParentDeathSignalBun,
    importFresh: async (path) => (await import("../import-fresh.ts")).importFreshBun(path),
    provideModule: provideModuleBun,
    snapshot: () => ({
      runtime: "bun",
      execPath: process.execPath,
      entry: compiled ? null : Bun.main,
      compiled,
      runtimeFlags: [],
    }),
  };
}
