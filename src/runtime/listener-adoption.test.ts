import { expect, test } from "bun:test";
import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../../test/helpers/temp.ts";
import { socketLibcBun } from "./bun/socket-libc.ts";
import { openSharedSocket, sharedUnixPath, socketAddress, unixSocketAddress } from "./listener-adoption.ts";

test("socket addresses: sockaddr_in and sockaddr_in6 in the kernel's layout; a hostname is refused", () => {
  expect([...socketAddress("127.0.0.1", 8000)]).toEqual([2, 0, 0x1f, 0x40, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  const v6 = socketAddress("::1", 443);
  expect([v6.length, v6[0], v6[1], v6[2], v6[3], v6[23], v6.slice(8, 23).every((b) => b === 0)]).toEqual([28, 10, 0, 1, 0xbb, 1, true]);
  expect([...socketAddress("fe80::1:2", 1).slice(8, 24)]).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
  expect(() => socketAddress("localhost", 80)).toThrow('"localhost" is not an IP address');
});

test("a sockaddr_un: family 1, the path, a NUL; a path past 107 bytes is refused", () => {
  expect([...unixSocketAddress("/a.sock")]).toEqual([1, 0, ...new TextEncoder().encode("/a.sock"), 0]);
  expect(unixSocketAddress(`/${"x".repeat(106)}`).length).toBe(2 + 107 + 1);
  expect(() => unixSocketAddress(`/${"x".repeat(107)}`)).toThrow("at most 107");
});

test("a shared unix socket: bound and listening at its path, known by its fd, its file gone when closed; errors name the path", () => {
  const temp = makeTempDir("shared-unix");
  try {
    const libc = socketLibcBun();
    const path = join(temp.dir, "h.sock");
    const shared = openSharedSocket(libc, { kind: "unix", path });
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(sharedUnixPath(shared.fd)).toBe(path);
    expect(() => openSharedSocket(libc, { kind: "unix", path })).toThrow(`cannot listen on unix:${path}: address already in use`);
    shared.close();
    expect(existsSync(path)).toBe(false);
    expect(() => openSharedSocket(libc, { kind: "unix", path: join(temp.dir, "missing", "h.sock") })).toThrow("no such directory");
    expect(() => openSharedSocket(libc, { kind: "unix", path: join(temp.dir, "x".repeat(120)) })).toThrow("the path is too long for a unix socket");
    const tcp = openSharedSocket(libc, { kind: "tcp", host: "127.0.0.1", port: 0 });
    expect(sharedUnixPath(tcp.fd)).toBeNull();
    tcp.close();
  } finally {
    temp.cleanup();
  }
});
