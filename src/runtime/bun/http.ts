/**
 * HTTP on Bun.serve: on the master's shared socket (TCP or unix) where it
 * gives one (Linux: runtime/listener-adoption.ts), else TCP binds join a
 * SO_REUSEPORT group.
 */
import { listenError } from "../listen-error.ts";
import { adoptSharedListener, throwawayUnixPath } from "../listener-adoption.ts";
import { socketLibcBun } from "./socket-libc.ts";
import type { HttpHandler, HttpServer, ListenTarget, ServeOptions } from "../types.ts";

/** Serves `handler` on `target` with Bun.serve. */
export async function serveHttpBun(target: ListenTarget, handler: HttpHandler, options: ServeOptions = {}): Promise<HttpServer> {
  // An inherited socket: serve a throwaway listener of its kind, then put the shared socket in its place.
  const throwaway = target.kind === "fd" ? throwawayUnixPath(target.fd) : null;
  const unixPath = throwaway ?? (target.kind === "unix" ? target.path : null);
  const where =
    unixPath !== null
      ? { unix: unixPath }
      : target.kind === "tcp"
        ? { hostname: target.host, port: target.port, reusePort: options.reusePort ?? true }
        : { hostname: "127.0.0.1", port: 0 };
  let server: Bun.Server<undefined>;
  try {
    server = Bun.serve({
      ...where,
      fetch: (request, srv) => handler(request, { remoteAddress: () => srv.requestIP(request)?.address ?? "-" }),
    });
  } catch (error) {
    throw listenError(target, error);
  }
  if (target.kind === "fd") {
    let adopted: { release(): void };
    try {
      adopted = adoptSharedListener(socketLibcBun(), target.fd, throwaway !== null ? { path: throwaway } : { port: server.port ?? 0 });
    } catch (error) {
      void server.stop(true);
      throw new Error(`cannot serve the inherited socket: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      port: null,
      stop: async () => {
        adopted.release();
        await server.stop(false);
      },
      forceClose: () => {
        adopted.release();
        void server.stop(true);
      },
      stopAccepting: () => adopted.release(),
    };
  }
  return {
    port: target.kind === "tcp" ? (server.port ?? null) : null,
    stop: async () => {
      await server.stop(false);
    },
    forceClose: () => void server.stop(true),
  };
}
