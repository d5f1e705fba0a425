/**
 * What the roles may ask of the operating system, as small capabilities
 * (processes, signals, unix sockets, HTTP, modules…); a caller depends on the
 * ones it uses, `Runtime` is all of them. Bun, Deno and Node each implement
 * `Runtime` in a folder of their own; nothing outside `src/runtime/` touches
 * `Bun`, `Deno`, `node:child_process` or `node:net`.
 */

/** Which JavaScript runtime is executing this process. */
export type RuntimeName = "bun" | "deno" | "node";

/** A signal name as the kernel knows it. */
export type SignalName =
  | "SIGHUP"
  | "SIGINT"
  | "SIGQUIT"
  | "SIGABRT"
  | "SIGKILL"
  | "SIGUSR1"
  | "SIGUSR2"
  | "SIGALRM"
  | "SIGTERM"
  | "SIGWINCH"
  | "SIGTTIN"
  | "SIGTTOU"
  | "SIGCONT";

/** Where a child's standard stream goes; `{ file }` appends to (and creates) a file. */
export type Stdio = "inherit" | "pipe" | "ignore" | { file: string; append: true };

/** What `spawn` needs: the full argv, and everything about the new process. */
export interface SpawnOptions {
  argv: readonly string[];
  cwd?: string;
  /** The complete environment of the child (not merged with anything). */
  env?: Readonly<Record<string, string>>;
  stdin?: "pipe" | "ignore" | "inherit";
  stdout?: Stdio;
  /** `"stdout"` sends stderr wherever stdout goes. */
  stderr?: Stdio | "stdout";
  /** Start the child as the leader of a new process group (and session). */
  processGroup?: boolean;
  /**
   * Open descriptors the child inherits (listening sockets): as fds 3, 4, … where
   * `Http.inheritedFds` is "from-3"; at their own numbers where it is "same" (Deno).
   */
  extraFds?: readonly number[];
}

import type { ExitStatus } from "./exit-status.ts";

export type { ExitStatus } from "./exit-status.ts";
export type { Http, HttpHandler, HttpServer, ListenTarget, RequestInfo, ServeOptions, SharedListener } from "./http-types.ts";
import type { Http } from "./http-types.ts";

/** A running child process. */
export interface ChildHandle {
  readonly pid: number;
  /** Resolves once, when the child has exited and been reaped. */
  readonly exited: Promise<ExitStatus>;
  /** Signal the child itself. Returns false when it is already gone. */
  kill(signal: SignalName): boolean;
  /** Signal the child's whole process group (the child must be a group leader). */
  killGroup(signal: SignalName): boolean;
  /** Writable end of the child's stdin when `stdin: "pipe"`; closing it sends EOF. */
  readonly stdin: ByteSink | null;
  readonly stdout: ByteStream | null;
  readonly stderr: ByteStream | null;
}

/** A readable byte stream; `read()` resolves null at end of stream. */
export interface ByteSource {
  read(): Promise<Uint8Array | null>;
}

/** A writable byte stream; `write()` resolves once the bytes are handed to the kernel. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
  /** Close the writing side (half-close for sockets). */
  end(): void;
}

/** A readable stream that can also be closed from our side. */
export interface ByteStream extends ByteSource {
  close(): void;
}

/** A bidirectional connection (a unix socket). */
export interface Connection extends ByteSource, ByteSink {
  /** Close both directions at once and drop anything unread or unsent. */
  close(): void;
}

/** A listening unix socket. */
export interface UnixListener {
  readonly path: string;
  /** Stop accepting. Does not remove the socket file (the caller owns that). */
  close(): void;
}

/** Options for `listenUnix`. */
export interface ListenUnixOptions {
  /**
   * Bytes a connection may have read but not yet consumed before it is closed
   * as abusive (a client that floods requests faster than it reads replies).
   */
  maxBufferedBytes: number;
  /**
   * Called when accepting a connection failed, typically for want of a file
   * descriptor (EMFILE): the owner may close a connection to make room. The
   * listener keeps accepting. Not called by Bun, which reports no such failure.
   */
  onAcceptFailed?: () => void;
}

/** Raised when a process cannot be started; the same shape on every runtime. */
export class SpawnError extends Error {
  readonly argv: readonly string[];
  readonly code: string | undefined;
  constructor(message: string, argv: readonly string[], options: { cause?: unknown; code?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = "SpawnError";
    this.argv = argv;
    this.code = options.code;
  }
}

/** A snapshot of how this process was started, input to `parseSelfCommand`. */
export interface ProcessSnapshot {
  runtime: RuntimeName;
  /** The executable: bun, deno, node, or the compiled binary. */
  execPath: string;
  /** The entry script (absolute path), or null inside a compiled binary. */
  entry: string | null;
  /** True inside a `bun build --compile` executable. */
  compiled: boolean;
  /** Flags to repeat for a child: node's execArgv, deno's permission flags. */
  runtimeFlags: readonly string[];
}

/** What this process is and how it was started. */
export interface ProcessInfo {
  readonly name: RuntimeName;
  readonly version: string;
  readonly pid: number;
  ppid(): number;
  /** The arguments after the program (and entry file). */
  readonly args: readonly string[];
  cwd(): string;
  env(): Record<string, string>;
  /** How this process was started, so that it can start itself in another role. */
  snapshot(): ProcessSnapshot;
}

/** Ending, replacing and tidying this process. */
export interface ProcessLifetime {
  exit(code: number): never;
  /** Set the code this process exits with once its event loop is empty. */
  setExitCode(code: number): void;
  /**
   * Replaces this process's program with `argv` and `env`, keeping its pid,
   * its open stdio and its place in the process tree (execve). Null where the
   * runtime cannot (Deno; Node before 22.15).
   */
  readonly execve: ((argv: readonly string[], env: Record<string, string>) => never) | null;
  /** Asks for a full garbage collection where the runtime offers it (after start-up, to return its garbage). */
  collectGarbage(): void;
}

/** Writing to this process's own stdout and stderr. */
export interface Output {
  /** Writes text or bytes to our stdout or stderr; resolves once written (safe to exit after). */
  write(stream: "stdout" | "stderr", text: string | Uint8Array): Promise<void>;
}

/** Starting child processes and signalling any process. */
export interface Processes {
  spawn(options: SpawnOptions): Promise<ChildHandle>;
  /** Send a signal to a pid (negative: a process group). False when no such process. */
  kill(pid: number, signal: SignalName | 0): boolean;
  /**
   * A pidfd for `pid` (Linux pidfd_open): it names that very process even
   * once its pid is free and given to another. Absent where the runtime
   * cannot make the call (Node has no FFI); null when it failed (no such
   * process, an older kernel, no --allow-ffi under Deno).
   */
  openPidfd?(pid: number): Pidfd | null;
}

/** An open pidfd. */
export interface Pidfd {
  /**
   * Sends `signal` to the process group the process leads (pidfd_send_signal
   * with PIDFD_SIGNAL_PROCESS_GROUP, Linux 6.9+); false when it was not sent
   * (the process is gone, or the kernel is older).
   */
  signalGroup(signal: SignalName): boolean;
  close(): void;
}

/** Signals sent to this process. */
export interface Signals {
  /** Calls `handler` on each `signal`; the returned function unsubscribes. */
  onSignal(signal: SignalName, handler: () => void): () => void;
}

/** The two ways a child learns that its parent died. */
export interface Lifeline {
  /**
   * Ask the kernel to send `signal` to this process when its parent dies
   * (Linux prctl through the runtime's FFI). False where that cannot be reached.
   */
  setParentDeathSignal(signal: SignalName): boolean;
  /** Call `onClosed` once when our stdin reaches end of file (the parent's lifeline). */
  watchStdinClose(onClosed: () => void): void;
}

/** Unix domain sockets (the control socket, the worker channel). */
export interface UnixSockets {
  listenUnix(path: string, onConnection: (conn: Connection) => void, options: ListenUnixOptions): Promise<UnixListener>;
  connectUnix(path: string): Promise<Connection>;
}

/**
 * Reading Linux's process table (/proc) without parsing it: the callers hold
 * the pure parsers. Every read answers null (or an empty list) where there is
 * no /proc or the process is gone.
 */
export interface ProcTable {
  /** The pids /proc lists now. */
  listPids(): number[];
  /** The text of /proc/PID/stat (`"self"`: this process). */
  readStat(pid: number | "self"): string | null;
  /** This process's auxiliary vector (/proc/self/auxv): page size and clock ticks. */
  readAuxv(): Uint8Array | null;
}

/** Loading the operator's modules (configs, apps). */
export interface Modules {
  /**
   * Imports a module file and evaluates it again even if it was imported
   * before (a reread must see the file as it is now). Modules it imports in
   * turn may still come from the cache.
   */
  importFresh(path: string): Promise<Record<string, unknown>>;
  /**
   * Makes `specifier` importable by modules loaded from now on (an operator's
   * config that imports "gunicorn-companion" inside the compiled binary, where
   * no node_modules holds it). False where the runtime resolves packages only
   * from disk (Node, Deno).
   */
  provideModule(specifier: string, exports: Record<string, unknown>): boolean;
}

/** Every capability at once: what an adapter implements and what a whole role may ask of the operating system. */
export interface Runtime extends ProcessInfo, ProcessLifetime, Output, Processes, Signals, Lifeline, UnixSockets, Http, ProcTable, Modules {}
