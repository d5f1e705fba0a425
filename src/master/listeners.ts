/**
 * The listening sockets of the HTTP workers, as the runtime shares them: the
 * master opens each bind (TCP or unix) once and every worker inherits it
 * (Node; Bun and Deno on Linux, runtime/listener-adoption.ts). Elsewhere each
 * worker binds TCP with SO_REUSEPORT and worker 0 serves each unix bind (the
 * master only clears a stale socket file).
 */
import { clearStaleSocket } from "../control/socket-path.ts";
import { errorMessage, FatalError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Http, SharedListener, UnixSockets } from "../runtime/index.ts";
import { readProcFile } from "../runtime/proc-read.ts";
import { removeSocketFile } from "../runtime/private-files.ts";
import { parseBind, type BindTarget } from "../config/bind.ts";

/**
 * With SO_REUSEPORT, connections queued on a worker's socket when it closes are
 * reset unless the kernel hands them over (Linux 5.14+, tcp_migrate_req=1).
 * Keep-alive clients are safe either way (workers drain first); say so once.
 */
export function warnAboutQueueMigration(runtime: Pick<Http, "httpSharing">, binds: readonly string[], log: Logger): void {
  if (runtime.httpSharing !== "reuse-port" || !binds.some((b) => parseBind(b).kind === "tcp")) return;
  if (readProcFile("/proc/sys/net/ipv4/tcp_migrate_req")?.trim() === "0") {
    log.info("net.ipv4.tcp_migrate_req is 0: a reload may reset connections queued on a stopping worker; set it to 1 (see docs/deploy.md)");
  }
}

/** The master's listeners, kept across reloads for the binds that stay. */
export interface Listeners {
  /** Each bind with the master's fd of its shared listener (null where workers bind themselves). */
  open(binds: readonly string[]): Promise<Array<{ target: BindTarget; fd: number | null }>>;
  /** Closes the listeners of binds no longer configured. */
  closeUnused(binds: readonly string[]): void;
  closeAll(): void;
}

/** Creates the listener set of a master. */
export function createListeners(runtime: Http & UnixSockets): Listeners {
  const listeners = new Map<string, SharedListener>();
  /** Unix paths our workers serve by renaming their socket over them (reuse-port runtimes). */
  const servedPaths = new Set<string>();
  return {
    async open(binds) {
      const result: Array<{ target: BindTarget; fd: number | null }> = [];
      for (const address of binds) {
        const target = parseBind(address);
        if (runtime.httpSharing === "reuse-port") {
          // A unix path is served by worker 0, which renames its socket over it. A path new to us
          // may hold a stale socket (removed) but never a live one or anything else (refused).
          if (target.kind === "unix" && !servedPaths.has(target.path)) {
            await clearStaleSocket(runtime, target.path);
            servedPaths.add(target.path);
          }
          result.push({ target, fd: null });
          continue;
        }
        let listener = listeners.get(address);
        if (listener === undefined) {
          if (target.kind === "unix") await clearStaleSocket(runtime, target.path);
          try {
            listener = await runtime.openSharedListener(target);
          } catch (error) {
            throw new FatalError(errorMessage(error));
          }
          listeners.set(address, listener);
        }
        result.push({ target, fd: listener.fd });
      }
      return result;
    },
    closeUnused(binds) {
      for (const [address, listener] of listeners) {
        if (binds.includes(address)) continue;
        listener.close();
        listeners.delete(address);
      }
    },
    closeAll() {
      for (const listener of listeners.values()) listener.close();
      listeners.clear();
      for (const path of servedPaths) removeSocketFile(path);
    },
  };
}
