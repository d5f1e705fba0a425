/** The Deno adapter: Deno's own APIs, with node:process only where Deno lacks a call. */
import { importFreshByUrl } from "../import-fresh.ts";
import { setParentDeathSignalWith } from "../parent-death.ts";
import { procTable } from "../proc-table.ts";
import type { Runtime } from "../types.ts";
import { openPidfdDeno } from "./pidfd.ts";
import { prctlDeno } from "./prctl.ts";
import { snapshotDeno } from "./self.ts";
import { connectUnixDeno, listenUnixDeno } from "./sockets.ts";
import { killDeno, spawnDeno } from "./spawn.ts";
import { openSharedListenerWith, sharedSocketSupported } from "../listener-adoption.ts";

/** Calls `onClosed` once when stdin ends or fails (the parent holding its other end is gone). */
function watchStdinClose(onClosed: () => void): void {
  const reader = Deno.stdin.readable.getReader();
  (async () => {
    try {
      while (!(await reader.read()).done) {
        // The lifeline carries no data.
      }
    } catch {
      // A read error means the pipe is gone as well.
    }
    onClosed();
  })();
}

/** The Deno implementation of `Runtime`. */
export function createDenoRuntime(): Runtime {
  return {
    ...procTable,
    name: "deno",
    version: Deno.version.deno,
    pid: Deno.pid,
    ppid: () => Deno.ppid,
    args: Deno.args,
    cwd: () => Deno.cwd(),
    env: () => Deno.env.toObject(),
    exit: (code) => Deno.exit(code),
    execve: null,
    write: async (stream, text) => {
      const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
      const target = stream === "stdout" ? Deno.stdout : Deno.stderr;
      let offset = 0;
      while (offset < bytes.length) offset += await target.write(bytes.subarray(offset));
    },
    setExitCode: (code) => {
      Deno.exitCode = code;
    },
    collectGarbage: () => void import("../v8-gc.ts").then((v8) => v8.collectGarbageV8()),
    spawn: spawnDeno,
    kill: killDeno,
    openPidfd: openPidfdDeno,
    onSignal: (signal, handler) => {
      const listener = () => handler();
      Deno.addSignalListener(signal, listener);
      return () => Deno.removeSignalListener(signal, listener);
    },
    setParentDeathSignal: (signal) => setParentDeathSignalWith(Deno.build.os, signal, prctlDeno),
    watchStdinClose,
    // One socket per bind (TCP or unix) the master opens and the workers adopt (runtime/listener-adoption.ts); SO_REUSEPORT elsewhere.
    httpSharing: sharedSocketSupported() && Deno.permissions.querySync({ name: "ffi" }).state === "granted" ? "inherit" : "reuse-port",
    inheritedFds: "same",
    serveHttp: async (target, handler, options) => (await import("./http.ts")).serveHttpDeno(target, handler, options),
    openSharedListener: (target) => openSharedListenerWith(async () => (await import("./socket-libc.ts")).socketLibcDeno(), target),
    listenUnix: listenUnixDeno,
    connectUnix: connectUnixDeno,
    importFresh: importFreshByUrl,
    provideModule: () => false,
    snapshot: snapshotDeno,
  };
}
