/** Child processes on Deno.Command. */
import process from "node:process";
import { resolveProgram } from "../program-path.ts";
import { resolveStdio, toSpawnError, type ResolvedStdio, type StreamTarget } from "../stdio-files.ts";
import type { ByteSink, ChildHandle, ExitStatus, SignalName, SpawnOptions } from "../types.ts";
import { webReadableToByteStream } from "../web-streams.ts";

type DenoStdio = "piped" | "inherit" | "null";

function toDenoStdio(stdio: StreamTarget | SpawnOptions["stdin"]): DenoStdio {
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
function withRedirections(argv: readonly string[], stdio: ResolvedStdio): { argv: string[]; stdout: DenoStdio; stderr: DenoStdio } {
  const out = typeof stdio.stdout === "object" ? stdio.stdout.file : null;
  const merge = stdio.stderrFollowsStdout;
  const err = !merge && typeof stdio.stderr === "object" ? stdio.stderr.file : null;
  if (out === null && err === null && !merge) {
    return { argv: [...argv], stdout: toDenoStdio(stdio.stdout), stderr: toDenoStdio(stdio.stderr) };
  }
  const redirections: string[] = [];
  if (out !== null) redirections.push('>>"$GC_STDOUT_FILE"');
  if (merge) redirections.push("2>&1");
  else if (err !== null) redirections.push('2>>"$GC_STDERR_FILE"');
  const script = `GC_STDOUT_FILE=$1 GC_STDERR_FILE=$2; shift 2; exec "$@" ${redirections.join(" ")}`;
  return {
    argv: ["/bin/sh", "-c", script, "sh", out ?? "", err ?? "", ...argv],
    stdout: out !== null ? "inherit" : toDenoStdio(stdio.stdout),
    stderr: err !== null || merge ? "inherit" : toDenoStdio(stdio.stderr),
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

/** `Deno.kill` that answers false for a process that does not exist. */
export function killDeno(pid: number, signal: SignalName | 0): boolean {
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
export async function spawnDeno(options: SpawnOptions): Promise<ChildHandle> {
  const extraFds = options.extraFds ?? [];
  // Validates the working directory and creates/opens the log files exactly
  // as the other runtimes do; the shell reopens them for the child.
  const program = resolveProgram(options);
  const stdio = resolveStdio(options);
  stdio.close();
  const { argv, stdout, stderr } = withRedirections(program, stdio);
  const libc = extraFds.length > 0 ? (await import("./socket-libc.ts")).socketLibcDeno() : null;
  const F_SETFD = 2;
  const FD_CLOEXEC = 1;
  let child: Deno.ChildProcess;
  try {
    // Deno.Command passes no descriptor: the child inherits these at their numbers, for this spawn only.
    for (const fd of extraFds) libc?.fcntl(fd, F_SETFD, 0);
    child = new Deno.Command(argv[0] ?? "", {
      args: argv.slice(1),
      cwd: options.cwd,
      env: options.env === undefined ? undefined : { ...options.env },
      clearEnv: options.env !== undefined,
      stdin: toDenoStdio(stdio.stdin),
      stdout,
      stderr,
      detached: options.processGroup ?? false,
    }).spawn();
  } catch (cause) {
    throw toSpawnError(cause, options.argv);
  } finally {
    for (const fd of extraFds) libc?.fcntl(fd, F_SETFD, FD_CLOEXEC);
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
    stdin: stdio.stdin === "pipe" ? writableToByteSink(child.stdin) : null,
    stdout: stdout === "piped" ? webReadableToByteStream(child.stdout) : null,
    stderr: stderr === "piped" ? webReadableToByteStream(child.stderr) : null,
  };
}
