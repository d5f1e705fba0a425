/**
 * What Bun and Node share through Node's `process`: ids, argv, env, exit,
 * kill, signals and the stdin lifeline. Nothing here loads a module, so the
 * ctl starts fast under Bun.
 */
import type { Runtime, SignalName } from "../types.ts";

/** `process.kill` that answers false for a process that does not exist. */
export function killPid(pid: number, signal: SignalName | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ESRCH") return false;
    throw error;
  }
}

/** Subscribes to a signal; the returned function unsubscribes. */
export function onProcessSignal(signal: SignalName, handler: () => void): () => void {
  const listener = () => handler();
  process.on(signal, listener);
  return () => {
    process.off(signal, listener);
  };
}

/** Calls `onClosed` once when stdin ends or fails (the parent holding its other end is gone). */
export function watchProcessStdinClose(onClosed: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    onClosed();
  };
  const stdin = process.stdin;
  stdin.on("data", () => {
    // The lifeline carries no data; reading keeps the pipe drained.
  });
  stdin.once("end", once);
  stdin.once("close", once);
  stdin.once("error", once);
  stdin.resume();
}

/** What Bun and Node answer alike through Node's `process`: ids, argv, env, exit, signals and sockets. */
export function nodeProcessBasics(): Pick<
  Runtime,
  "pid" | "ppid" | "args" | "cwd" | "env" | "exit" | "execve" | "setExitCode" | "kill" | "onSignal" | "watchStdinClose"
> {
  const execve = (process as { execve?: (file: string, args: string[], env: Record<string, string>) => never }).execve;
  return {
    pid: process.pid,
    ppid: () => process.ppid,
    // A compiled Bun binary's argv is [binary, /$bunfs/root/entry, ...args] too.
    args: process.argv.slice(2),
    cwd: () => process.cwd(),
    env: () => ({ ...process.env }) as Record<string, string>,
    exit: (code) => process.exit(code),
    execve:
      typeof execve === "function"
        ? (argv, env) => {
            const [file] = argv;
            if (file === undefined) throw new Error("execve: empty argv");
            return execve.call(process, file, [...argv], env);
          }
        : null,
    setExitCode: (code) => {
      process.exitCode = code;
    },
    kill: killPid,
    onSignal: onProcessSignal,
    watchStdinClose: watchProcessStdinClose,
  };
}
