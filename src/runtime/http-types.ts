/**
 * The runtime's HTTP capability: where a server listens, the handler, the
 * server, and how workers share a port (part of `Runtime`, types.ts).
 */
/** Where an HTTP server listens. */
export type ListenTarget =
  | { kind: "tcp"; host: string; port: number }
  | { kind: "unix"; path: string }
  /** An inherited listening socket (fd 3 and up), opened by the master. */
  | { kind: "fd"; fd: number };

/** What an HTTP handler can learn about the connection (computed only when asked: it costs). */
export interface RequestInfo {
  remoteAddress(): string;
}

/** The app's fetch-style handler, as the runtime calls it. */
export type HttpHandler = (request: Request, info: RequestInfo) => Response | Promise<Response>;

/** How `serveHttp` binds a TCP target. */
export interface ServeOptions {
  /**
   * Join a SO_REUSEPORT group where `httpSharing` is "reuse-port" (default
   * true). False for a server of one (metrics): a port already taken is then
   * an error instead of being silently shared.
   */
  reusePort?: boolean;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The TCP port it listens on (the kernel's pick for port 0); null for other targets. */
  readonly port: number | null;
  /** Stop accepting; resolves once in-flight requests are done (idle keep-alive connections are closed). */
  stop(): Promise<void>;
  /** Close every connection now. */
  forceClose(): void;
  /**
   * Stop accepting, keep serving the open connections (until `stop`). Only where
   * the listener can close alone and lose nothing queued: Node's inherited socket.
   */
  stopAccepting?(): void;
}

/** A listening socket the master opened for its workers to inherit (Node). */
export interface SharedListener {
  readonly fd: number;
  close(): void;
}

/** Serving HTTP, and how workers share a port. */
export interface Http {
  /**
   * How workers share a bind: "inherit" (the master opens each socket, TCP or
   * unix, and every worker serves it: Node; Bun and Deno on Linux; a queued
   * connection is never dropped when a worker closes) or "reuse-port" (each
   * worker binds TCP with SO_REUSEPORT and one worker serves each unix bind:
   * Bun and Deno elsewhere).
   */
  readonly httpSharing: "reuse-port" | "inherit";
  /** Where a child finds the `extraFds` it is given: moved to 3, 4, … or at the parent's numbers. */
  readonly inheritedFds: "from-3" | "same";
  /** Serves HTTP on a target (TCP binds use SO_REUSEPORT where `httpSharing` says so). */
  serveHttp(target: ListenTarget, handler: HttpHandler, options?: ServeOptions): Promise<HttpServer>;
  /** Opens a listening socket for workers to inherit (only where `httpSharing` is "inherit"). */
  openSharedListener(target: Exclude<ListenTarget, { kind: "fd" }>): Promise<SharedListener>;
}
