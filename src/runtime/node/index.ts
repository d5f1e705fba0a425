/** The Node.js adapter: Node's `process`, node:child_process, node:net and node:http. */
import { resolve } from "node:path";
import { importFreshByUrl } from "../import-fresh.ts";
import { procTable } from "../proc-table.ts";
import type { Runtime } from "../types.ts";
import { nodeProcessBasics } from "./process.ts";
import { connectUnixNode, listenUnixNode } from "./sockets.ts";
import { spawnNode } from "./spawn.ts";

/** The Node.js implementation of `Runtime`. */
export function createNodeRuntime(): Runtime {
  return {
    ...procTable,
    name: "node",
    version: process.versions.node,
    ...nodeProcessBasics(),
    write: (stream, text) =>
      new Promise((resolve) => {
        (stream === "stdout" ? process.stdout : process.stderr).write(text, () => resolve());
      }),
    httpSharing: "inherit",
    inheritedFds: "from-3",
    serveHttp: async (target, handler, options) => (await import("./http.ts")).serveHttpNode(target, handler, options),
    openSharedListener: async (target) => (await import("./http.ts")).openSharedListenerNode(target),
    listenUnix: listenUnixNode,
    connectUnix: connectUnixNode,
    collectGarbage: () => void import("../v8-gc.ts").then((v8) => v8.collectGarbageV8()),
    spawn: spawnNode,
    setParentDeathSignal: () => false,
    importFresh: importFreshByUrl,
    provideModule: () => false,
    snapshot: () => ({
      runtime: "node",
      execPath: process.execPath,
      entry: process.argv[1] === undefined ? null : resolve(process.argv[1]),
      compiled: false,
      runtimeFlags: process.execArgv,
    }),
  };
}
