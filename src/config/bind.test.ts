import { expect, test } from "bun:test";
import { formatBind, parseBind } from "./bind.ts";

test.each([
  ["127.0.0.1:8000", { kind: "tcp", host: "127.0.0.1", port: 8000 }],
  ["0.0.0.0:80", { kind: "tcp", host: "0.0.0.0", port: 80 }],
  [":8080", { kind: "tcp", host: "0.0.0.0", port: 8080 }],
  ["[::1]:9000", { kind: "tcp", host: "::1", port: 9000 }],
  ["localhost:3000", { kind: "tcp", host: "localhost", port: 3000 }],
  ["8000", { kind: "tcp", host: "127.0.0.1", port: 8000 }],
  ["unix:/run/app.sock", { kind: "unix", path: "/run/app.sock" }],
])("%s", (address, target) => {
  expect(parseBind(address)).toEqual(target as never);
  if (address !== "8000" && address !== ":8080") expect(formatBind(parseBind(address))).toBe(address);
});

test.each(["host:port", "127.0.0.1:99999", "unix:", "[::1]"])("%s is refused with the address named", (address) => {
  expect(() => parseBind(address)).toThrow(`bind "${address}"`);
});
