import { expect, test } from "bun:test";
import { connectionsUnder, parseOpenFileLimit } from "./fd-limit.ts";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             127557               127557               processes
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

test("the table fits under the open-file limit, keeping descriptors for the rest", () => {
  expect(parseOpenFileLimit(LIMITS)).toBe(1024);
  expect(parseOpenFileLimit(LIMITS.replace("1024  ", "unlimited"))).toBe(Number.POSITIVE_INFINITY);
  expect(parseOpenFileLimit("nothing here")).toBeNull();
  expect(connectionsUnder(2048, 524288)).toBe(2048);
  expect(connectionsUnder(2048, 1024)).toBe(768);
  expect(connectionsUnder(2048, 512)).toBe(256);
  expect(connectionsUnder(2048, 100)).toBe(16);
  expect(connectionsUnder(2048, null)).toBe(2048);
});
