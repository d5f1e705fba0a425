import { expect, test } from "bun:test";
import { socketAddress } from "./listener-adoption.ts";

test("socket addresses: sockaddr_in and sockaddr_in6 in the kernel's layout; a hostname is refused", () => {
  expect([...socketAddress("127.0.0.1", 8000)]).toEqual([2, 0, 0x1f, 0x40, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const v6 = socketAddress("::1", 443);
  expect([v6.length, v6[0], v6[1], v6[2], v6[3], v6[23], v6.slice(8, 23).every((b) => b === 0)]).toEqual([28, 10, 0, 1, 0xbb, 1, true]);
  expect([...socketAddress("fe80::1:2", 1).slice(8, 24)]).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
  expect(() => socketAddress("localhost", 80)).toThrow('"localhost" is not an IP address');
});
