/** pidfds through Deno.dlopen (libc's syscall; needs --allow-ffi), loaded on first use and kept. */
import { createOpenPidfd } from "../pidfd.ts";

export const openPidfdDeno = createOpenPidfd(() => {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") throw new Error("pidfds need --allow-ffi");
  const libc = Deno.dlopen("libc.so.6", {
    syscall: { parameters: ["i64", "i64", "i64", "i64", "i64"], result: "i64" },
    close: { parameters: ["i32"], result: "i32" },
  });
  return {
    syscall: (nr, a, b, c, d) => Number(libc.symbols.syscall?.(BigInt(nr), BigInt(a), BigInt(b), BigInt(c), BigInt(d))),
    close: (fd) => void libc.symbols.close?.(fd),
  };
});
