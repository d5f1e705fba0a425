/** Whether our stdout or stderr is a terminal (colour decisions). */
import { isatty } from "node:tty";

/** True when `stream` of this process is a terminal. */
export function isTerminal(stream: "stdout" | "stderr"): boolean {
  try {
    return isatty(stream === "stdout" ? 1 : 2);
  } catch {
    return false;
  }
}

/** Colour on `stream`: a terminal, and `NO_COLOR` unset or empty (no-color.org). */
export function wantsColour(stream: "stdout" | "stderr", env: Readonly<Record<string, string | undefined>>): boolean {
  return (env.NO_COLOR ?? "") === "" && isTerminal(stream);
}
