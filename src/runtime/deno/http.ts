/**
 * HTTP on Deno.serve: on the master's shared socket (TCP or unix) where it
 * gives one (Linux with --allow-ffi: runtime/listener-adoption.ts), else TCP
 * binds use SO_REUSEPORT
 * (children run with --unstable-net).
 */
import { listenError } from "../listen-error.ts";
import { adoptSharedListener, throwawayUnixPath } from "../listener-adoption.ts";
import { socketLibcDeno } from "./socket-libc.ts";
import type { HttpHandler, HttpServer, ListenTarget, ServeOptions } from "../types.ts";

/** Serves `handler` on `target` with Deno.serve. */
export async function serveHttpDeno(target: ListenTarget, handler: HttpHandler, options: ServeOptions = {}): Promise<HttpServer> {
  const controller = new AbortController();
  const onRequest = (request: Request, info: { remoteAddr: unknown }) =>
    handler(request, { remoteAddress: () => (info.remoteAddr as { hostname?: string }).hostname ?? "-" });
  // One call per kind: Deno's own types have an overload for each, none for their union.
  let server: Deno.HttpServer;
  // An inherited socket: serve a throwaway listener of its kind, then put the shared socket in its place.
  const throwaway = target.kind === "fd" ? throwawayUnixPath(target.fd) : null;
  try {
    const unixPath = throwaway ?? (target.kind === "unix" ? target.path : null);
    server =
      unixPath !== null
        ? Deno.serve({ path: unixPath, transport: "unix", signal: controller.signal, onListen() {} }, onRequest)
        : target.kind === "tcp"
          ? Deno.serve({ hostname: target.host, port: target.port, reusePort: options.reusePort ?? true, signal: controller.signal, onListen() {} }, onRequest)
          : Deno.serve({ hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} }, onRequest);
  } catch (error) {
    throw listenError(target, error);
  }
  if (target.kind === "fd") {
    let adopted: { release(): void };
    try {
      adopted = adoptSharedListener(socketLibcDeno(), target.fd, throwaway !== null ? { path: throwaway } : { port: "port" in server.addr ? (server.addr.port ?? 0) : 0 });
    } catch (error) {
      controller.abort();
      throw new Error(`cannot serve the inherited socket: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      port: null,
      stop: () => {
        adopted.release();
        return server.shutdown();
      },
      forceClose: () => {
        adopted.release();
        controller.abort();
      },
      stopAccepting: () => adopted.release(),
    };
  }
  return {
    port: "port" in server.addr ? (server.addr.port ?? null) : null,
    stop: () => server.shutdown(),
    forceClose: () => controller.abort(),
  };
}
