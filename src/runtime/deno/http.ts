/** HTTP on Deno.serve; TCP binds use SO_REUSEPORT (children run with --unstable-net). */
import type { HttpHandler, HttpServer, ListenTarget } from "../types.ts";

/** Serves `handler` on `target` with Deno.serve. */
export async function serveHttpDeno(target: ListenTarget, handler: HttpHandler): Promise<HttpServer> {
  if (target.kind === "fd") throw new Error("Deno cannot serve HTTP on an inherited socket");
  const options =
    target.kind === "tcp" ? { hostname: target.host, port: target.port, reusePort: true } : { path: target.path, transport: "unix" as const };
  const controller = new AbortController();
  const server = Deno.serve({ ...options, signal: controller.signal, onListen() {} }, (request, info) =>
    handler(request, { remoteAddress: () => (info.remoteAddr as { hostname?: string }).hostname ?? "-" }),
  );
  return {
    stop: () => server.shutdown(),
    forceClose: () => controller.abort(),
  };
}
