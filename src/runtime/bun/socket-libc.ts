/** libc's socket calls through bun:ffi, for the shared listening socket (runtime/listener-adoption.ts). */
import type { SocketLibc } from "../listener-adoption.ts";

let cached: SocketLibc | null = null;

/** Opens libc once; throws where it cannot be opened. */
export function socketLibcBun(): SocketLibc {
  if (cached !== null) return cached;
  const { dlopen, FFIType, ptr, read } = import.meta.require("bun:ffi") as typeof import("bun:ffi");
  const { i32, ptr: pointer } = FFIType;
  const { symbols } = dlopen("libc.so.6", {
    socket: { args: [i32, i32, i32], returns: i32 },
    setsockopt: { args: [i32, i32, i32, pointer, i32], returns: i32 },
    bind: { args: [i32, pointer, i32], returns: i32 },
    listen: { args: [i32, i32], returns: i32 },
    dup2: { args: [i32, i32], returns: i32 },
    close: { args: [i32], returns: i32 },
    epoll_ctl: { args: [i32, i32, i32, pointer], returns: i32 },
    __errno_location: { args: [], returns: pointer },
  });
  cached = {
    socket: (domain, type, protocol) => symbols.socket(domain, type, protocol),
    setsockopt: (fd, level, name, value) => symbols.setsockopt(fd, level, name, ptr(value), value.byteLength),
    bind: (fd, address) => symbols.bind(fd, ptr(address), address.byteLength),
    listen: (fd, backlog) => symbols.listen(fd, backlog),
    dup2: (from, to) => symbols.dup2(from, to),
    close: (fd) => symbols.close(fd),
    epollCtl: (epfd, op, fd, event) => symbols.epoll_ctl(epfd, op, fd, ptr(event)),
    errno: () => {
      const location = symbols.__errno_location();
      return location === null ? 0 : read.i32(location, 0);
    },
  };
  return cached;
}
