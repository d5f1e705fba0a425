import { test } from "bun:test";

/** Milliseconds an end-to-end test may take: real processes, real deadlines. */
export const E2E_TIMEOUT_MS = 45_000;

/** An end-to-end test: concurrent with the others of its file (each owns its temp dir and socket). */
export function e2e(name: string, body: () => Promise<void>, timeoutMs = E2E_TIMEOUT_MS): void {
  test.concurrent(name, body, timeoutMs);
}
