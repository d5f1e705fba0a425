import { spawn as spawnChild, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { killPid, nodeProcessBasics } from "./process.ts";
import { connectUnixNode, listenUnixNode, readableToByteStream, writableToByteSink } from "./sockets.ts";
import { importFreshByUrl } from "../import-fresh.ts";
import { openStdioFiles, toSpawnError } from "../stdio-files.ts";
import type { ChildHandle, ExitStatus, Runtime, SpawnOptions, Stdio } from "../types.ts";

type NodeStdio = "inherit" | "pipe" | "ignore" | number;

function toNodeStdio(stdio: Stdio | undefined, fd: number | null): NodeStdio {
  if (fd !== null) return fd;
  if (stdio === undefined || typeof stdio === "object") return "inherit";
  return stdio;
}

/** Waits for Node's "spawn" or "error" event so that failures surface as a rejected promise. */
function whenSpawned(child: ChildProcess): Promise<void> {
  return new Promise((resolveSpawn, reject) => {
    child.once("spawn", () => {
      child.removeListener("error", reject);
      resolveSpawn();
    });
    child.once("error", reject);
  });
}

/** The exit of a Node child as our `ExitStatus` (code and signal kept apart). */
function exitOf(child: ChildProcess): Promise<ExitStatus> {
  // 'exit' (not 'close'): a grandchild holding our pipes must not delay the reaping.
  return new Promise((resolveExit) => {
    child.once("exit", (code, signal) =>
      resolveExit(signal === null ? { exitCode: code ?? 0, signal: null } : { exitCode: null, signal }),
    );
  });
}

function startChild(options: SpawnOptions): ChildProcess {
  const files = openStdioFiles(options);
  try {
    const stdout = toNodeStdio(options.stdout, files.stdout);
    const stderr = options.stderr === "stdout" ? stdout : toNodeStdio(options.stderr, files.stderr);
    return spawnChild(options.argv[0] ?? "", options.argv.slice(1), {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin ?? "ignore", stdout, stderr, ...(options.extraFds ?? [])],
      detached: options.processGroup ?? false,
    });
  } finally {
    // The child holds its own copies of the log file descriptors now.
    files.close();
  }
}

/** Spawns with node:child_process; used by the Node runtime only. */
async function spawnNode(options: SpawnOptions): Promise<ChildHandle> {
  let child: ChildProcess;
  try {
    child = startChild(options);
  } catch (cause) {
    throw toSpawnError(cause, options.argv);
  }
  const exited = exitOf(child);
  try {
    await whenSpawned(child);
  } catch (cause) {
    throw toSpawnError(cause, options.argv);
  }
  const pid = child.pid ?? -1;
  // Errors after a successful spawn (a kill of a reaped child) are answered by kill()'s result.
  child.on("error", () => {});
  return {
    pid,
    exited,
    kill: (signal) => {
      try {
        return child.kill(signal);
      } catch {
        return false;
      }
    },
    killGroup: (signal) => killPid(-pid, signal),
    stdin: child.stdin ? writableToByteSink(child.stdin) : null,
    stdout: child.stdout ? readableToByteStream(child.stdout) : null,
    stderr: child.stderr ? readableToByteStream(child.stderr) : null,
  };
}

/** The Node.js implementation of `Runtime`. */
export function createNodeRuntime(): Runtime {
  return {
    name: "node",
    version: process.versions.node,
    ...nodeProcessBasics(),
    write: (stream, text) =>
      new Promise((resolve) => {
        (stream === "stdout" ? process.stdout : process.stderr).write(text, () => resolve());
      }),
    httpSharing: "inherit",
    serveHttp: async (target, handler) => (await import("./http.ts")).serveHttpNode(target, handler),
    openSharedListener: async (target) => (await import("./http.ts")).openSharedListenerNode(target),
    listenUnix: listenUnixNode,
    connectUnix: connectUnixNode,
    collectGarbage: () => (globalThis as { gc?: () => void }).gc?.(),
    spawn: spawnNode,
    setParentDeathSignal: () => false,
    importFresh: importFreshByUrl,
    provideModule: () => false,
    snapshot: () => ({
      runtime: "node",
      execPath: process.execPath,
      entry: process.argv[1] === undefined ? null : resolve(process.argv[1]),
      compiled: false,
      runtimeFlags: process.execArgv,
    }),
  };
}
