/** Child processes on node:child_process. */
import { spawn as spawnChild, type ChildProcess } from "node:child_process";
import { killPid } from "./process.ts";
import { readableToByteStream, writableToByteSink } from "./streams.ts";
import { resolveProgram } from "../program-path.ts";
import { resolveStdio, toFdStdio, toSpawnError } from "../stdio-files.ts";
import type { ChildHandle, ExitStatus, SpawnOptions } from "../types.ts";

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
  const [program, ...args] = resolveProgram(options);
  const stdio = resolveStdio(options);
  try {
    return spawnChild(program ?? "", args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [stdio.stdin ?? "ignore", toFdStdio(stdio.stdout), toFdStdio(stdio.stderr), ...(options.extraFds ?? [])],
      detached: options.processGroup ?? false,
    });
  } finally {
    // The child holds its own copies of the log file descriptors now.
    stdio.close();
  }
}

/** Spawns with node:child_process; used by the Node runtime only. */
export async function spawnNode(options: SpawnOptions): Promise<ChildHandle> {
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

