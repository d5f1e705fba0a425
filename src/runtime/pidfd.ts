/**
 * pidfd_open and pidfd_send_signal through libc's `syscall`, whichever FFI
 * reaches it (bun:ffi, Deno.dlopen). The numbers are the same on every Linux
 * architecture since 5.1 (the unified table).
 */
import { signalNumber } from "./signals.ts";
import type { Pidfd, SignalName } from "./types.ts";

const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;
/** pidfd_send_signal flag: the signal goes to the process group of the pidfd's process. */
const PIDFD_SIGNAL_PROCESS_GROUP = 4;

/** libc's `syscall` with four integer arguments, and `close`. */
export interface SyscallBinding {
  syscall(nr: number, a: number, b: number, c: number, d: number): number;
  close(fd: number): void;
}

/** `openPidfd` over a binding that is loaded on first use; null forever once loading failed. */
export function createOpenPidfd(load: () => SyscallBinding): (pid: number) => Pidfd | null {
  let binding: SyscallBinding | null | undefined;
  return (pid) => {
    if (binding === undefined) {
      try {
        binding = process.platform === "linux" ? load() : null;
      } catch {
        binding = null;
      }
    }
    const libc = binding;
    if (libc === null || !Number.isInteger(pid) || pid <= 0) return null;
    const fd = libc.syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
    if (fd < 0) return null;
    let open = true;
    return {
      signalGroup: (signal: SignalName) => open && libc.syscall(SYS_PIDFD_SEND_SIGNAL, fd, signalNumber(signal), 0, PIDFD_SIGNAL_PROCESS_GROUP) === 0,
      close() {
        if (open) libc.close(fd);
        open = false;
      },
    };
  };
}
