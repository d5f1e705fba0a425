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

// Written out rather than read from node:os, which is costly to load in Bun.
const LINUX: Record<SignalName, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12,
  SIGALRM: 14, SIGTERM: 15, SIGCONT: 18, SIGTTIN: 21, SIGTTOU: 22, SIGWINCH: 28,
};
const BSD: Record<SignalName, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 30, SIGUSR2: 31,
  SIGALRM: 14, SIGTERM: 15, SIGCONT: 19, SIGTTIN: 21, SIGTTOU: 22, SIGWINCH: 28,
};

/** The platform's number for a signal (SIGUSR1 is 10 on Linux, 30 on macOS). */
export function signalNumber(signal: SignalName, platform: string = process.platform): number {
  return (platform === "linux" ? LINUX : BSD)[signal];
}

/** True when `name` is one of `SIGNAL_NAMES`. */
export function isSignalName(name: string): name is SignalName {
  return (SIGNAL_NAMES as readonly string[]).includes(name);
}

/**
 * A signal as an operator writes it: `HUP`, `SIGHUP`, `hup`, or its number
 * on this platform (`1`, or "1"). Null when it is none of `SIGNAL_NAMES`.
 */
export function parseSignal(value: string | number, platform: string = process.platform): SignalName | null {
  const text = String(value).trim();
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    return SIGNAL_NAMES.find((name) => signalNumber(name, platform) === number) ?? null;
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper : `SIG${upper}`;
  return isSignalName(name) ? name : null;
}
