/** HTTP on Deno.serve; TCP binds use SO_REUSEPORT (children run with --unstable-net). */
import { listenError } from "../listen-error.ts";
import type { HttpHandler, HttpServer, ListenTarget } from "../types.ts";

/** Serves `handler` on `target` with Deno.serve. */
export async function serveHttpDeno(target: ListenTarget, handler: HttpHandler): Promise<HttpServer> {
  if (target.kind === "fd") throw new Error("Deno cannot serve HTTP on an inherited socket");
  const controller = new AbortController();
  const onRequest = (request: Request, info: { remoteAddr: unknown }) =>
    handler(request, { remoteAddress: () => (info.remoteAddr as { hostname?: string }).hostname ?? "-" });
  // One call per kind: Deno's own types have an overload for each, none for their union.
  let server: Deno.HttpServer;
  try {
    server =
      target.kind === "tcp"
        ? Deno.serve({ hostname: target.host, port: target.port, reusePort: true, signal: controller.signal, onListen() {} }, onRequest)
        : Deno.serve({ path: target.path, transport: "unix", signal: controller.signal, onListen() {} }, onRequest);
  } catch (error) {
    throw listenError(target, error);
  }
  return {
    stop: () => server.shutdown(),
    forceClose: () => controller.abort(),
  };
}
