/** HTTP on Bun.serve; TCP binds join a SO_REUSEPORT group so every worker accepts on its own. */
import type { HttpHandler, HttpServer, ListenTarget, ServeOptions } from "../types.ts";

/** Serves `handler` on `target` with Bun.serve. */
export async function serveHttpBun(target: ListenTarget, handler: HttpHandler, options: ServeOptions = {}): Promise<HttpServer> {
  if (target.kind === "fd") throw new Error("Bun cannot serve HTTP on an inherited socket");
  const where = target.kind === "tcp" ? { hostname: target.host, port: target.port, reusePort: options.reusePort ?? true } : { unix: target.path };
  const server = Bun.serve({
    ...where,
    fetch: (request, srv) => handler(request, { remoteAddress: () => srv.requestIP(request)?.address ?? "-" }),
  });
  return {
    port: target.kind === "tcp" ? (server.port ?? null) : null,
    stop: async () => {
      await server.stop(false);
    },
    forceClose: () => void server.stop(true),
  };
}
