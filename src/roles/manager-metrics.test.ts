import { expect, test } from "bun:test";
import { bindFailureReason, metricsHandler } from "./manager-metrics.ts";

test("the handler answers GET /metrics only", async () => {
  const handle = metricsHandler(() => "x 1\n");
  const ok = handle(new Request("http://h/metrics"));
  expect([ok.status, ok.headers.get("content-type"), await ok.text()]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8", "x 1\n"]);
  expect(handle(new Request("http://h/")).status).toBe(404);
  expect(handle(new Request("http://h/metrics/x")).status).toBe(404);
  const post = handle(new Request("http://h/metrics", { method: "POST" }));
  expect([post.status, post.headers.get("allow")]).toEqual([405, "GET"]);
  // The query string does not change the path.
  expect(handle(new Request("http://h/metrics?x=1")).status).toBe(200);
});

test("bind failures read the same on every runtime", () => {
  expect(bindFailureReason(Object.assign(new Error("Failed to start server. Is port 9 in use?"), { code: "EADDRINUSE" }))).toBe("address already in use");
  expect(bindFailureReason(Object.assign(new Error("Address already in use (os error 98)"), { name: "AddrInUse" }))).toBe("address already in use");
  expect(bindFailureReason(Object.assign(new Error("listen EACCES: permission denied 0.0.0.0:80"), { code: "EACCES" }))).toBe("permission denied");
  expect(bindFailureReason(new Error("something else"))).toBe("something else");
});
