import { expect, test } from "bun:test";
import { toHandler } from "./app.ts";

test("a function, an object with fetch, and what is neither", async () => {
  const fn = toHandler("a", () => new Response("fn"));
  expect(await (await fn(new Request("http://x/"))).text()).toBe("fn");
  const app = { greeting: "obj", fetch(this: { greeting: string }) { return new Response(this.greeting); } };
  expect(await (await toHandler("a", app)(new Request("http://x/"))).text()).toBe("obj");
  expect(() => toHandler("app.ts:nope", undefined)).toThrow('cannot load app "app.ts:nope": no such export');
  expect(() => toHandler("app.ts", 42)).toThrow("it is number, neither a function nor an object with fetch()");
});
