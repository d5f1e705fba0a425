/**
 * The Bun adapter. Bun implements Node's `process`, so ids, argv, env, exit,
 * kill, signals and the stdin lifeline come from node/process.ts.
 */
import { nodeProcessBasics } from "../node/process.ts";
import { setParentDeathSignalWith } from "../parent-death.ts";
import { procTable } from "../proc-table.ts";
import type { Runtime } from "../types.ts";
import { openPidfdBun } from "./pidfd.ts";
import { prctlBun } from "./prctl.ts";
import { connectUnixBun, listenUnixBun } from "./sockets.ts";
import { spawnBun } from "./spawn.ts";
import { openSharedListenerWith, sharedSocketSupported } from "../listener-adoption.ts";

/** A virtual module through Bun's runtime plugin API. */
function provideModuleBun(specifier: string, exports: Record<string, unknown>): boolean {
  Bun.plugin({
    name: `virtual:${specifier}`,
    setup(build) {
      build.module(specifier, () => ({ exports, loader: "object" }));
    },
  });
  return true;
}

/** True when this code runs inside a `bun build --compile` executable. */
function isCompiled(): boolean {
  // Bun mounts the embedded sources under /$bunfs (B:/~BUN on Windows).
  return Bun.main.startsWith("/$bunfs/") || Bun.main.includes("~BUN");
}

/** The Bun implementation of `Runtime`. */
export function createBunRuntime(): Runtime {
  const compiled = isCompiled();
  return {
    ...procTable,
    name: "bun",
    version: Bun.version,
    ...nodeProcessBasics(),
    // Bun builds process.stdout lazily, at a cost of ~20 ms: a ctl call writes through Bun.write.
    write: async (stream, text) => {
      await Bun.write(stream === "stdout" ? Bun.stdout : Bun.stderr, text);
    },
    // One socket per bind (TCP or unix) the master opens and the workers adopt (runtime/listener-adoption.ts); SO_REUSEPORT elsewhere.
    httpSharing: sharedSocketSupported() ? "inherit" : "reuse-port",
    inheritedFds: "from-3",
    serveHttp: async (target, handler, options) => (await import("./http.ts")).serveHttpBun(target, handler, options),
    openSharedListener: (target) => openSharedListenerWith(async () => (await import("./socket-libc.ts")).socketLibcBun(), target),
    listenUnix: listenUnixBun,
    connectUnix: connectUnixBun,
    collectGarbage: () => Bun.gc(true),
    spawn: spawnBun,
    openPidfd: openPidfdBun,
    setParentDeathSignal: (signal) => setParentDeathSignalWith(process.platform, signal, prctlBun),
    importFresh: async (path) => (await import("../import-fresh.ts")).importFreshBun(path),
    provideModule: provideModuleBun,
    snapshot: () => ({
      runtime: "bun",
      execPath: process.execPath,
      entry: compiled ? null : Bun.main,
      compiled,
      // Children never autoload a .env either (the binary is built without it).
      runtimeFlags: compiled ? [] : ["--no-env-file"],
    }),
  };
}
