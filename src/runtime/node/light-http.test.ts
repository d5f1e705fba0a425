import { afterAll, expect, test } from "bun:test";
import type { IncomingMessage, ServerResponse } from "node:http";
import { lazyRequest } from "./lazy-request.ts";
import { installLightResponse, writeLightResponse } from "./light-response.ts";

const Native = globalThis.Response;
afterAll(() => {
  globalThis.Response = Native;
});

function fakeRes() {
  const written: { status?: number; headers?: Record<string, unknown>; body?: unknown } = {};
  const res = {
    writeHead(status: number, a: unknown, b?: unknown) {
      written.status = status;
      written.headers = (typeof a === "string" ? b : a) as Record<string, unknown>;
    },
    end(body?: unknown) {
      written.body = body;
    },
  } as unknown as ServerResponse;
  return { res, written };
}

test("the lazy request reads like a Request and builds the real one only when the body is read", async () => {
  const incoming = { method: "POST", url: "/p?q=1", headers: { host: "h:1" }, rawHeaders: ["Host", "h:1", "X-A", "1", "X-A", "2"] };
  const request = lazyRequest(incoming as unknown as IncomingMessage);
  expect(request instanceof Request).toBe(true);
  expect([request.method, request.url, request.headers.get("x-a")]).toEqual(["POST", "http://h:1/p?q=1", "1, 2"]);
  const get = lazyRequest({ ...incoming, method: "GET" } as unknown as IncomingMessage);
  expect(await get.text()).toBe("");
});

test("a plain Response is written straight to node:http; one the app read, or streams, is not", async () => {
  installLightResponse();
  const plain = new Response("héllo", { status: 201, headers: { "x-b": "2" } });
  expect(plain instanceof Response && plain instanceof Native).toBe(true);
  expect(Response.json({ a: 1 }) instanceof Response).toBe(true);
  expect([plain.status, plain.ok]).toEqual([201, true]);
  const { res, written } = fakeRes();
  expect(writeLightResponse(plain, res)).toBe(true);
  expect(written).toEqual({ status: 201, headers: { "x-b": "2", "content-type": "text/plain;charset=UTF-8", "content-length": "6" }, body: "héllo" });
  const empty = fakeRes();
  expect(writeLightResponse(new Response(null, { status: 204 }), empty.res)).toBe(true);
  expect(empty.written).toEqual({ status: 204, headers: {}, body: undefined });
  // Reading the headers (the access log does) makes the real Response: the worker streams that one.
  const read = new Response("x");
  expect(read.headers).toBeInstanceOf(Headers);
  expect(writeLightResponse(read, fakeRes().res)).toBe(false);
  expect(await read.text()).toBe("x");
  expect(writeLightResponse(new Response(new ReadableStream()), fakeRes().res)).toBe(false);
});
