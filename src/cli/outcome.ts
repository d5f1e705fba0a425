/**
 * How a command tells main.ts what to do when it returns: exit with a status,
 * or keep the process running (a companion whose target returned no promise
 * lives on while its event loop has work).
 */
let exitCode: number | "keep-running" = 0;

/** Sets the status main.ts exits with. */
export function setExitCode(code: number): void {
  exitCode = code;
}

/** Asks main.ts not to exit: the event loop decides when this process ends. */
export function keepRunning(): void {
  exitCode = "keep-running";
}

/** What main.ts should do. */
export function getOutcome(): number | "keep-running" {
  return exitCode;
}
