/**
 * A web `Request` for a node:http request, built only as far as the app reads
 * it (the idea of @hono/node-server): `method` and `url` are plain strings,
 * `headers` becomes a `Headers` on first use, and anything else (the body,
 * `signal`, `clone()`…) makes the real `Request` then and delegates to it.
 * `instanceof Request` holds. A hello-world app never pays for a `Request`.
 */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";

const kIncoming = Symbol("incoming");
const kUrl = Symbol("url");
const kHeaders = Symbol("headers");
const kReal = Symbol("real");

interface LazyFields {
  [kIncoming]: IncomingMessage;
  [kUrl]?: string;
  [kHeaders]?: Headers;
  [kReal]?: Request;
}

function headersOf(incoming: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = incoming.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  return headers;
}

function urlOf(self: LazyFields): string {
  self[kUrl] ??= `http://${self[kIncoming].headers.host ?? "localhost"}${self[kIncoming].url ?? "/"}`;
  return self[kUrl];
}

function realOf(self: LazyFields): Request {
  if (self[kReal] === undefined) {
    const incoming = self[kIncoming];
    const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
    self[kReal] = new Request(urlOf(self), {
      method: incoming.method,
      headers: lazyHeaders(self),
      body: hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : undefined,
      ...(hasBody ? { duplex: "half" } : {}),
    } as RequestInit);
  }
  return self[kReal];
}

function lazyHeaders(self: LazyFields): Headers {
  self[kHeaders] ??= headersOf(self[kIncoming]);
  return self[kHeaders];
}

const prototype: object = Object.create(Request.prototype, {
  method: { get(this: LazyFields) { return this[kIncoming].method ?? "GET"; } },
  url: { get(this: LazyFields) { return urlOf(this); } },
  headers: { get(this: LazyFields) { return lazyHeaders(this); } },
});
// Everything else a Request has (body, signal, text(), json(), clone(), …) goes to the real one.
for (const key of Reflect.ownKeys(Request.prototype)) {
  if (key === "constructor" || key === "method" || key === "url" || key === "headers") continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key);
  if (descriptor === undefined) continue;
  if (typeof descriptor.value === "function") {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    Object.defineProperty(prototype, key, { value(this: LazyFields, ...args: unknown[]) { return method.apply(realOf(this), args); } });
  } else if (descriptor.get !== undefined) {
    const get = descriptor.get;
    Object.defineProperty(prototype, key, { get(this: LazyFields) { return get.call(realOf(this)); } });
  }
}

/** The request as the app sees it: a `Request` that costs only what is read. */
export function lazyRequest(incoming: IncomingMessage): Request {
  const self = Object.create(prototype) as LazyFields;
  self[kIncoming] = incoming;
  return self as unknown as Request;
}
