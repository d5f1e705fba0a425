/**
 * A spawn's standard streams resolved once for every adapter: the working
 * directory checked, `{ file }` targets opened for append (created 0640 if
 * missing, never through a symlink), `stderr: "stdout"` followed. Each adapter then only spells the
 * neutral form in its own API's words.
 */
import { closeSync, statSync } from "node:fs";
import { openAppendNoFollow, SymlinkRefusedError } from "./private-files.ts";
import type { SpawnOptions } from "./types.ts";
import { SpawnError } from "./types.ts";

/** Where a child's stdout or stderr goes: inherited, piped, discarded, or a log file opened for append. */
export type StreamTarget = "inherit" | "pipe" | "ignore" | { file: string; fd: number };

/** A spawn's streams in neutral form; the parent closes the opened files after the spawn. */
export interface ResolvedStdio {
  /** As asked; undefined leaves the runtime's own default (Bun and Node ignore stdin, Deno inherits it). */
  stdin: SpawnOptions["stdin"];
  stdout: StreamTarget;
  /** With `stderrFollowsStdout`, the same target as `stdout`. */
  stderr: StreamTarget;
  /** True when the options said `stderr: "stdout"`. */
  stderrFollowsStdout: boolean;
  /** Closes the log files opened here (the child holds its own copies once spawned). */
  close(): void;
}

function checkWorkingDirectory(options: SpawnOptions): void {
  if (options.cwd === undefined) return;
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

function closeAll(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // already closed: nothing to release
    }
  }
}

/**
 * Checks what a spawn needs before any runtime tries it, so that a missing
 * working directory or an unwritable log file gives the same clear
 * `SpawnError` under Bun, Deno and Node (Node, for one, reports a bad cwd as
 * "spawn sh ENOENT"), and resolves the streams to their neutral form.
 */
export function resolveStdio(options: SpawnOptions): ResolvedStdio {
  checkWorkingDirectory(options);
  const fds: number[] = [];
  const open = (file: string, stream: string): StreamTarget => {
    try {
      const fd = openAppendNoFollow(file, `${stream} file`);
      fds.push(fd);
      return { file, fd };
    } catch (cause) {
      closeAll(fds);
      if (cause instanceof SymlinkRefusedError) throw new SpawnError(cause.message, options.argv, { cause, code: cause.code });
      const code = (cause as { code?: string }).code;
      throw new SpawnError(`cannot open ${stream} file ${file}: ${code ?? String(cause)}`, options.argv, { cause, code });
    }
  };
  const target = (stdio: SpawnOptions["stdout"], stream: string): StreamTarget =>
    stdio === undefined ? "inherit" : typeof stdio === "object" ? open(stdio.file, stream) : stdio;
  const stdout = target(options.stdout, "stdout");
  const stderrFollowsStdout = options.stderr === "stdout";
  const stderr = options.stderr === "stdout" ? stdout : target(options.stderr, "stderr");
  return { stdin: options.stdin, stdout, stderr, stderrFollowsStdout, close: () => closeAll(fds) };
}

/** The spelling Bun.spawn and node:child_process share: the keyword, or the opened file's descriptor. */
export function toFdStdio(target: StreamTarget): "inherit" | "pipe" | "ignore" | number {
  return typeof target === "object" ? target.fd : target;
}

/** Wraps any error thrown while spawning into a `SpawnError` naming the command. */
export function toSpawnError(cause: unknown, argv: readonly string[]): SpawnError {
  if (cause instanceof SpawnError) return cause;
  const code = (cause as { code?: string } | null)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SpawnError(`cannot start ${argv[0] ?? "(empty command)"}: ${reason}`, argv, { cause, code });
}
