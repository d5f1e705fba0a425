/**
 * prctl(PR_SET_PDEATHSIG): Linux sends a signal to a process when its parent
 * dies. The constant, the Linux check and the arguments live here; each
 * adapter supplies only its FFI binding of libc's `prctl` (Node has none).
 */
import { signalNumber } from "./signals.ts";
import type { SignalName } from "./types.ts";

const PR_SET_PDEATHSIG = 1;

/** libc's `prctl(option, arg2, 0, 0, 0)` through a runtime's FFI; throws where it cannot be reached. */
export type PrctlBinding = (option: number, arg2: number) => number;

/** Asks Linux for `signal` on parent death through `prctl`; false off Linux or when the call fails. */
export function setParentDeathSignalWith(os: string, signal: SignalName, prctl: PrctlBinding): boolean {
  if (os !== "linux") return false;
  try {
    return prctl(PR_SET_PDEATHSIG, signalNumber(signal, "linux")) === 0;
  } catch {
    return false;
  }
}
