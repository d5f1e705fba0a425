/**
 * One wording for a server that cannot listen, whatever the runtime said:
 * `cannot listen on 127.0.0.1:8000: address already in use`. Bun says "Failed
 * to start server. Is port 8000 in use?", Deno "Address already in use (os
 * error 98)", Node "listen EADDRINUSE …"; all three give the errno code.
 */
import type { ListenTarget } from "./types.ts";

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available on this host",
  EACCES: "permission denied",
  EPERM: "permission denied",
  ENOENT: "no such directory",
  ENOTDIR: "a component of the path is not a directory",
  EINVAL: "invalid address",
  ENAMETOOLONG: "the path is too long for a unix socket (at most 107 bytes)",
};

/** The address as an operator wrote it: `host:port`, `[v6]:port`, a unix path, or the fd. */
export function formatListenTarget(target: ListenTarget): string {
  if (target.kind === "unix") return `unix:${target.path}`;
  if (target.kind === "fd") return `inherited fd ${target.fd}`;
  return target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** The reason of an errno code, in words (the code itself when it has none here). */
export function listenReason(code: string | undefined, fallback: string): string {
  return code !== undefined && REASONS[code] !== undefined ? REASONS[code] : (code ?? fallback);
}

/** The error a failed listen becomes: it names the address and the reason, and keeps the code. */
export function listenError(target: ListenTarget, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const known = typeof code === "string" ? code : undefined;
  return Object.assign(new Error(`cannot listen on ${formatListenTarget(target)}: ${listenReason(known, message)}`), { code: known });
}
