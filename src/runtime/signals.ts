import { constants } from "node:os";
import type { SignalName } from "./types.ts";

/** Every signal name the product accepts in settings and sends. */
export const SIGNAL_NAMES: readonly SignalName[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGABRT",
  "SIGKILL",
  "SIGUSR1",
  "SIGUSR2",
  "SIGALRM",
  "SIGTERM",
  "SIGWINCH",
  "SIGTTIN",
  "SIGTTOU",
  "SIGCONT",
];

/** The platform's number for a signal (SIGUSR1 is 10 on Linux, 30 on macOS). */
export function signalNumber(signal: SignalName): number {
  return constants.signals[signal];
}

/** True when `name` is one of `SIGNAL_NAMES`. */
export function isSignalName(name: string): name is SignalName {
  return (SIGNAL_NAMES as readonly string[]).includes(name);
}
