/**
 * Picks the runtime implementation once and memoizes it. Deno and Bun are
 * detected before Node because both also expose a Node-compatible `process`.
 */
import { paceSpawns } from "./pace.ts";
import type { Runtime } from "./types.ts";

export type {
  ByteSink,
  ByteSource,
  ByteStream,
  ChildHandle,
  Connection,
  ExitStatus,
  Http,
  HttpHandler,
  HttpServer,
  Lifeline,
  ListenTarget,
  ListenUnixOptions,
  Modules,
  Output,
  Pidfd,
  Processes,
  ProcessInfo,
  ProcessLifetime,
  ProcessSnapshot,
  ProcTable,
  RequestInfo,
  Runtime,
  RuntimeName,
  ServeOptions,
  SharedListener,
  SignalName,
  Signals,
  SpawnOptions,
  Stdio,
  UnixListener,
  UnixSockets,
} from "./types.ts";
export { SpawnError } from "./types.ts";
export { formatExit } from "./exit-status.ts";
export { formatSelfArgv, formatSelfCommand, type ChildRole } from "./self-command.ts";
export { SIGNAL_NAMES, isSignalName, parseSignal, signalNumber } from "./signals.ts";

let current: Runtime | null = null;

/** The runtime of this process (detected on first use). */
export async function getRuntime(): Promise<Runtime> {
  if (current !== null) return current;
  const globals = globalThis as { Deno?: unknown; Bun?: unknown };
  let runtime: Runtime;
  if (globals.Deno !== undefined) runtime = (await import("./deno/index.ts")).createDenoRuntime();
  else if (globals.Bun !== undefined) runtime = (await import("./bun/index.ts")).createBunRuntime();
  else runtime = (await import("./node/index.ts")).createNodeRuntime();
  current = { ...runtime, spawn: paceSpawns(runtime.spawn) };
  return current;
}

/** Replaces the runtime (tests inject the fake one). */
export function setRuntime(runtime: Runtime | null): void {
  current = runtime;
}
