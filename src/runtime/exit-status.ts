/** How a child process ended, and how that reads in logs. */

/** How a child ended: exactly one of the two is non-null. */
export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

/** Describes how a process ended, for logs: "exited with status 1", "killed by SIGKILL". */
export function formatExit(exitCode: number | null, signal: string | null): string {
  return signal !== null ? `killed by ${signal}` : `exited with status ${exitCode ?? 0}`;
}
