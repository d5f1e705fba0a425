/** libc's prctl through Deno.dlopen (needs --allow-ffi). */
import type { PrctlBinding } from "../parent-death.ts";

/** Calls prctl through Deno.dlopen; throws without the ffi permission or when libc cannot be opened. */
export const prctlDeno: PrctlBinding = (option, arg2) => {
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") throw new Error("prctl needs --allow-ffi");
  const libc = Deno.dlopen("libc.so.6", { prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" } });
  try {
    return Number(libc.symbols.prctl?.(option, BigInt(arg2), 0n, 0n, 0n));
  } finally {
    libc.close();
  }
};
