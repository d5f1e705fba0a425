/**
 * Pure: bind addresses as gunicorn writes them. `host:port`, `[::1]:port`,
 * `unix:/path`, or a bare `port` (on 127.0.0.1).
 */
import type { ListenTarget } from "../runtime/types.ts";

/** A parsed bind address (never an inherited fd). */
export type BindTarget = Exclude<ListenTarget, { kind: "fd" }>;

/** Parses one bind address; throws with the address in the message when it is not one. */
export function parseBind(address: string): BindTarget {
  if (address.startsWith("unix:")) {
    const path = address.slice("unix:".length);
    if (path === "") throw new Error(`bind "${address}": empty unix socket path`);
    return { kind: "unix", path };
  }
  let host = "127.0.0.1";
  let portText = address;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(address);
  if (v6 !== null) {
    host = v6[1] ?? "";
    portText = v6[2] ?? "";
  } else if (address.includes(":")) {
    const colon = address.lastIndexOf(":");
    host = address.slice(0, colon) || "0.0.0.0";
    portText = address.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`bind "${address}": "${portText}" is not a port number`);
  return { kind: "tcp", host, port };
}

/** How a target reads in logs: `127.0.0.1:8000`, `[::1]:8000`, `unix:/run/app.sock`. */
export function formatBind(target: BindTarget): string {
  if (target.kind === "unix") return `unix:${target.path}`;
  return target.host.includes(":") ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}
