/** HTTP on Bun.serve; TCP binds join a SO_REUSEPORT group so every worker accepts on its own. */
import { listenError } from "../listen-error.ts";
import type { HttpHandler, HttpServer, ListenTarget } from "../types.ts";

/** Serves `handler` on `target` with Bun.serve. */
export async function serveHttpBun(target: ListenTarget, handler: HttpHandler): Promise<HttpServer> {
  if (target.kind === "fd") throw new Error("Bun cannot serve HTTP on an inherited socket");
  const where = target.kind === "tcp" ? { hostname: target.host, port: target.port, reusePort: true } : { unix: target.path };
  let server: Bun.Server<undefined>;
  try {
    server = Bun.serve({
      ...where,
      fetch: (request, srv) => handler(request, { remoteAddress: () => srv.requestIP(request)?.address ?? "-" }),
    });
  } catch (error) {
    throw listenError(target, error);
  }
  return {
    stop: async () => {
      await server.stop(false);
    },
    forceClose: () => void server.stop(true),
  };
}
