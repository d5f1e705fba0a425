import { test } from "bun:test";
import type { Launcher } from "../helpers/launchers.ts";

/** Milliseconds an end-to-end test may take: real processes, real deadlines. */
export const E2E_TIMEOUT_MS = 45_000;

/** An end-to-end test: concurrent with the others of its file (each owns its temp dir and socket). */
export function e2e(name: string, body: () => Promise<void>, timeoutMs = E2E_TIMEOUT_MS): void {
  test.concurrent(name, body, timeoutMs);
}

/** An end-to-end test for launchers that load TypeScript configs and targets (not Node 20); skipped, visibly, elsewhere. */
export function e2eTypeScript(launcher: Launcher, name: string, body: () => Promise<void>): void {
  if (launcher.typescript) e2e(name, body);
  else test.skip(`${name} (${launcher.name} cannot load TypeScript)`, () => {});
}

/**
 * An end-to-end test that needs an optional tool (socat, …); skipped with the
 * tool's name where it is not installed. `aptPackage`: the Debian package
 * holding it, when named otherwise (promtool is in `prometheus`).
 */
export function e2eWithTool(tool: string, name: string, body: () => Promise<void>, aptPackage = tool): void {
  if (Bun.which(tool) !== null) e2e(name, body);
  else test.skip(`${name} (${tool} is not installed: apt-get install ${aptPackage})`, () => {});
}
