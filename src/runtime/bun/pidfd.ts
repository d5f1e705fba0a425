/** pidfds through bun:ffi (libc's syscall), loaded on first use and kept. */
import { createOpenPidfd } from "../pidfd.ts";

export const openPidfdBun = createOpenPidfd(() => {
  const { dlopen, FFIType } = import.meta.require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", {
    syscall: { args: [FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  });
  return {
    syscall: (nr, a, b, c, d) => Number(libc.symbols.syscall(nr, a, b, c, d)),
    close: (fd) => void libc.symbols.close(fd),
  };
});
