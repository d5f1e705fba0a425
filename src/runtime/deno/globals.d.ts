/**
 * The few Deno APIs src/runtime/deno/ uses, declared here so that one
 * TypeScript program (with bun-types) checks every runtime's file.
 */
declare namespace Deno {
  const pid: number;
  const ppid: number;
  const args: string[];
  const version: { deno: string };
  const mainModule: string;
  const build: { os: string };
  function execPath(): string;
  function cwd(): string;
  function exit(code?: number): never;
  let exitCode: number;
  const env: { toObject(): Record<string, string> };
  function kill(pid: number, signal?: string): void;
  function addSignalListener(signal: string, handler: () => void): void;
  function removeSignalListener(signal: string, handler: () => void): void;

  interface CommandStatus {
    success: boolean;
    code: number;
    signal: string | null;
  }
  interface ChildProcess {
    readonly pid: number;
    readonly status: Promise<CommandStatus>;
    readonly stdin: WritableStream<Uint8Array>;
    readonly stdout: ReadableStream<Uint8Array>;
    readonly stderr: ReadableStream<Uint8Array>;
    kill(signal?: string): void;
  }
  interface CommandOptions {
    args?: string[];
    cwd?: string;
    env?: Record<string, string>;
    clearEnv?: boolean;
    stdin?: "piped" | "inherit" | "null";
    stdout?: "piped" | "inherit" | "null";
    stderr?: "piped" | "inherit" | "null";
    detached?: boolean;
  }
  class Command {
    constructor(command: string, options?: CommandOptions);
    spawn(): ChildProcess;
  }

  interface Conn {
    read(buffer: Uint8Array): Promise<number | null>;
    write(data: Uint8Array): Promise<number>;
    closeWrite(): Promise<void>;
    close(): void;
  }
  interface Listener extends AsyncIterable<Conn> {
    accept(): Promise<Conn>;
    close(): void;
  }
  function listen(options: { transport: "unix"; path: string }): Listener;
  function connect(options: { transport: "unix"; path: string }): Promise<Conn>;

  interface ServeHandlerInfo {
    remoteAddr: { hostname?: string; path?: string };
  }
  interface HttpServer {
    /** Where it listens (a NetAddr for TCP). */
    readonly addr: { port?: number };
    shutdown(): Promise<void>;
    readonly addr: { port?: number };
  }
  function serve(
    options: { hostname?: string; port?: number; reusePort?: boolean; path?: string; transport?: "unix"; signal?: AbortSignal; onListen?: () => void },
    handler: (request: Request, info: ServeHandlerInfo) => Response | Promise<Response>,
  ): HttpServer;

  const stdin: { readable: ReadableStream<Uint8Array> };
  const stdout: { write(data: Uint8Array): Promise<number> };
  const stderr: { write(data: Uint8Array): Promise<number> };

  interface PermissionStatus {
    state: "granted" | "denied" | "prompt";
  }
  const permissions: { querySync(descriptor: { name: string }): PermissionStatus };

  interface DynamicLibrary<S> {
    symbols: S;
    close(): void;
  }
  /** A native pointer (null is NULL). */
  type PointerValue = object | null;
  class UnsafePointerView {
    static getCString(pointer: object, offset?: number): string;
    constructor(pointer: unknown);
    getInt32(offset?: number): number;
  }
  function dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string }>,
  ): DynamicLibrary<Record<string, (...args: unknown[]) => unknown>>;
}
