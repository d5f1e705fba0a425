/** Child processes on Bun.spawn. */
import { killPid } from "../node/process.ts";
import type { ByteSink, ChildHandle, ExitStatus, SpawnOptions } from "../types.ts";
import { webReadableToByteStream } from "../web-streams.ts";

// Modules that need node:fs/node:module are loaded on first use: a ctl call
// never spawns or imports a config, and Bun takes milliseconds to load them.
const loadStdioFiles = () => import("../stdio-files.ts");
const loadProgramPath = () => import("../program-path.ts");

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
export async function spawnBun(options: SpawnOptions): Promise<ChildHandle> {
  const { resolveStdio, toFdStdio, toSpawnError } = await loadStdioFiles();
  const argv = (await loadProgramPath()).resolveProgram(options);
  const stdio = resolveStdio(options);
  let proc: Bun.Subprocess<"pipe" | "ignore" | "inherit", "pipe" | "ignore" | "inherit" | number, "pipe" | "ignore" | "inherit" | number>;
  try {
    proc = Bun.spawn(argv, {
      cwd: options.cwd,
      env: options.env === undefined ? undefined : { ...options.env },
      stdio: [stdio.stdin ?? "ignore", toFdStdio(stdio.stdout), toFdStdio(stdio.stderr), ...(options.extraFds ?? [])],
      detached: options.processGroup ?? false,
    });
  } catch (cause) {
    throw toSpawnError(cause, argv);
  } finally {
    stdio.close();
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
