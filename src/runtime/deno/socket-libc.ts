/** libc's socket calls through Deno.dlopen (needs --allow-ffi), for the shared listening socket (runtime/listener-adoption.ts). */
import type { SocketLibc } from "../listener-adoption.ts";

/** The calls, and fcntl for the spawn that hands the socket to a worker. */
export type SocketLibcDeno = SocketLibc & { fcntl(fd: number, command: number, argument: number): number };

let cached: SocketLibcDeno | null = null;

/** Opens libc once; throws without the ffi permission or where libc cannot be opened. */
export function socketLibcDeno(): SocketLibcDeno {
  if (cached !== null) return cached;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") throw new Error("the shared socket needs --allow-ffi");
  const { symbols } = Deno.dlopen("libc.so.6", {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "i32"], result: "i32" },
    bind: { parameters: ["i32", "buffer", "i32"], result: "i32" },
    listen: { parameters: ["i32", "i32"], result: "i32" },
    dup2: { parameters: ["i32", "i32"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
    epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
    __errno_location: { parameters: [], result: "pointer" },
  });
  const table = symbols as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  const call = (name: string, ...args: unknown[]): number => Number(table[name]?.(...args));
  cached = {
    socket: (domain, type, protocol) => call("socket", domain, type, protocol),
    setsockopt: (fd, level, name, value) => call("setsockopt", fd, level, name, value, value.byteLength),
    bind: (fd, address) => call("bind", fd, address, address.byteLength),
    listen: (fd, backlog) => call("listen", fd, backlog),
    dup2: (from, to) => call("dup2", from, to),
    close: (fd) => call("close", fd),
    fcntl: (fd, command, argument) => call("fcntl", fd, command, argument),
    epollCtl: (epfd, op, fd, event) => call("epoll_ctl", epfd, op, fd, event),
    errno: () => {
      const location = symbols.__errno_location?.();
      return location === null || location === undefined ? 0 : new Deno.UnsafePointerView(location).getInt32();
    },
  };
  return cached;
}
