import { closeSync, openSync, statSync } from "node:fs";
import type { SpawnOptions } from "./types.ts";
import { SpawnError } from "./types.ts";

/** File descriptors opened for a child's stdout/stderr, closed by the parent after spawn. */
export interface OpenedStdio {
  stdout: number | null;
  stderr: number | null;
  close(): void;
}

/**
 * Checks what a spawn needs before any runtime tries it, so that a missing
 * working directory or an unwritable log file gives the same clear
 * `SpawnError` under Bun, Deno and Node (Node, for one, reports a bad cwd as
 * "spawn sh ENOENT"). Log files are opened for append, created if missing.
 */
export function openStdioFiles(options: SpawnOptions): OpenedStdio {
  if (options.cwd !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = statSync(options.cwd).isDirectory();
    } catch (cause) {
      throw new SpawnError(`working directory ${options.cwd} does not exist`, options.argv, { cause, code: "ENOENT" });
    }
    if (!isDirectory) {
      throw new SpawnError(`working directory ${options.cwd} is not a directory`, options.argv, { code: "ENOTDIR" });
    }
  }
  const fds: number[] = [];
  const open = (path: string, stream: string): number => {
    try {
      const fd = openSync(path, "a", 0o644);
      fds.push(fd);
      return fd;
    } catch (cause) {
      for (const fd of fds) closeSync(fd);
      const code = (cause as { code?: string }).code;
      throw new SpawnError(`cannot open ${stream} file ${path}: ${code ?? String(cause)}`, options.argv, { cause, code });
    }
  };
  const stdout = typeof options.stdout === "object" ? open(options.stdout.file, "stdout") : null;
  let stderr: number | null = null;
  if (options.stderr === "stdout") stderr = stdout;
  else if (typeof options.stderr === "object") stderr = open(options.stderr.file, "stderr");
  return {
    stdout,
    stderr,
    close() {
      for (const fd of fds) {
        try {
          closeSync(fd);
        } catch {
          // already closed: nothing to release
        }
      }
    },
  };
}

/** Wraps any error thrown while spawning into a `SpawnError` naming the command. */
export function toSpawnError(cause: unknown, argv: readonly string[]): SpawnError {
  if (cause instanceof SpawnError) return cause;
  const code = (cause as { code?: string } | null)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SpawnError(`cannot start ${argv[0] ?? "(empty command)"}: ${reason}`, argv, { cause, code });
}
