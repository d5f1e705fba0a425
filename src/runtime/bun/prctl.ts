/** libc's prctl through bun:ffi, loaded on first use. */
import type { PrctlBinding } from "../parent-death.ts";

/** Calls prctl through bun:ffi; throws when libc cannot be opened. */
export const prctlBun: PrctlBinding = (option, arg2) => {
  const { dlopen, FFIType } = import.meta.require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", {
    prctl: { args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64], returns: FFIType.i32 },
  });
  try {
    return libc.symbols.prctl(option, arg2, 0, 0, 0);
  } finally {
    libc.close();
  }
};
