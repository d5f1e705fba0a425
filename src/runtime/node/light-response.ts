/**
 * A cheaper global `Response` for Node workers (the idea of @hono/node-server):
 * `new Response("hello", init)` with a string or bytes body only keeps its
 * arguments, and the worker writes them straight to node:http; the real
 * (undici) Response is built the first time the app or the worker reads
 * anything but `status`/`ok`. `instanceof Response` holds both ways.
 */
import type { ServerResponse } from "node:http";

const kInit = Symbol("init");
const kReal = Symbol("real");
type FastBody = string | Uint8Array | null;

interface LightFields {
  [kInit]?: { body: FastBody; init: ResponseInit | undefined };
  [kReal]?: Response;
}

const NativeResponse: typeof Response = globalThis.Response;

function realOf(self: LightFields): Response {
  if (self[kReal] === undefined) {
    const saved = self[kInit];
    self[kReal] = new NativeResponse(saved?.body ?? null, saved?.init);
    self[kInit] = undefined;
  }
  return self[kReal];
}

const isFast = (body: unknown): body is FastBody => body === null || body === undefined || typeof body === "string" || body instanceof Uint8Array;

/** The global Response of a Node worker. */
function LightResponse(this: LightFields, body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit): void {
  if (!new.target) throw new TypeError("Response constructor: 'new' is required");
  const plainInit = init === undefined || (init !== null && Object.getPrototypeOf(init) === Object.prototype);
  if (isFast(body) && plainInit) this[kInit] = { body: body ?? null, init };
  else this[kReal] = new NativeResponse(body, init);
}
LightResponse.prototype = Object.create(NativeResponse.prototype, {
  status: { get(this: LightFields) { return this[kInit] !== undefined ? (this[kInit].init?.status ?? 200) : realOf(this).status; } },
  ok: { get(this: LightFields) { const s = (this as unknown as Response).status; return s >= 200 && s < 300; } },
});
for (const key of Reflect.ownKeys(NativeResponse.prototype)) {
  if (key === "constructor" || key === "status" || key === "ok") continue;
  const descriptor = Object.getOwnPropertyDescriptor(NativeResponse.prototype, key);
  if (descriptor === undefined) continue;
  if (typeof descriptor.value === "function") {
    const method = descriptor.value as (...args: unknown[]) => unknown;
    Object.defineProperty(LightResponse.prototype, key, { value(this: LightFields, ...args: unknown[]) { return method.apply(realOf(this), args); } });
  } else if (descriptor.get !== undefined) {
    const get = descriptor.get;
    Object.defineProperty(LightResponse.prototype, key, { get(this: LightFields) { return get.call(realOf(this)); } });
  }
}
Object.defineProperty(LightResponse.prototype, "constructor", { value: LightResponse });
// Response.json(), Response.redirect(), Response.error() give native Responses: instanceof still holds.
for (const key of ["json", "redirect", "error"] as const) Object.defineProperty(LightResponse, key, { value: NativeResponse[key].bind(NativeResponse) });
Object.defineProperty(LightResponse, Symbol.hasInstance, { value: (value: unknown) => value instanceof NativeResponse });
Object.defineProperty(LightResponse, "name", { value: "Response" });

/** Makes `Response` the light one in this process (the worker does it before the app answers). */
export function installLightResponse(): void {
  if (globalThis.Response !== NativeResponse) return;
  globalThis.Response = LightResponse as unknown as typeof Response;
}

function headerPairs(init: ResponseInit["headers"], into: Record<string, string | string[]>): void {
  if (init === undefined) return;
  const pairs: Iterable<[string, string]> = init instanceof Headers || Array.isArray(init) ? (init as Iterable<[string, string]>) : Object.entries(init);
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const previous = into[key];
    if (previous === undefined) into[key] = value;
    else if (key === "set-cookie") into[key] = Array.isArray(previous) ? [...previous, value] : [previous, value];
    else into[key] = `${Array.isArray(previous) ? previous.join(", ") : previous}, ${value}`;
  }
}

/**
 * Writes a light response the app never read straight to node:http and returns
 * true; false for any other response (the caller streams the real one).
 */
export function writeLightResponse(response: Response, res: ServerResponse): boolean {
  const saved = (response as LightFields)[kInit];
  if (saved === undefined) return false;
  const { body, init } = saved;
  const headers: Record<string, string | string[]> = {};
  headerPairs(init?.headers, headers);
  if (typeof body === "string" && headers["content-type"] === undefined) headers["content-type"] = "text/plain;charset=UTF-8";
  const status = init?.status ?? 200;
  // No body, and no length, where HTTP allows none.
  const bodiless = status === 204 || status === 304 || status < 200;
  if (!bodiless) headers["content-length"] = String(body === null ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
  if (init?.statusText) res.writeHead(status, init.statusText, headers);
  else res.writeHead(status, headers);
  res.end(bodiless ? undefined : (body ?? undefined));
  return true;
}
