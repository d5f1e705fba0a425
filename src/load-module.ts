/**
 * Imports an operator's module (a companion target or the app) the way
 * gunicorn users expect: a path resolves against a working directory, a bare
 * name is a package installed there.
 */
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** A module given as a path (rather than a package name): starts with `.` or `/`, or names a script file. */
export function isPathSpecifier(module: string): boolean {
  return module.startsWith(".") || isAbsolute(module) || /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/.test(module);
}

/** The URL or specifier to import `module` by, from `cwd`. */
export function resolveModule(module: string, cwd: string): string {
  if (isPathSpecifier(module)) return pathToFileURL(resolve(cwd, module)).href;
  try {
    return pathToFileURL(createRequire(join(cwd, "noop.js")).resolve(module)).href;
  } catch {
    // ESM-only packages may have no "require" export condition; let import() resolve it.
    return module;
  }
}

/** Imports `module` relative to `cwd`. */
export async function importModule(module: string, cwd: string): Promise<Record<string, unknown>> {
  return (await import(resolveModule(module, cwd))) as Record<string, unknown>;
}

/** Why a module failed to load, in one line; names the Node versions that load TypeScript. */
export function describeImportFailure(error: unknown, runtimeName: string, runtimeVersion: string, module: string): string {
  const code = (error as { code?: string } | null)?.code;
  if (runtimeName === "node" && code === "ERR_UNKNOWN_FILE_EXTENSION") {
    return `Node ${runtimeVersion} cannot load TypeScript (${module}); use .js/.mjs, Node 22.18+, or run with bun, deno or the binary`;
  }
  return error instanceof Error ? error.message : String(error);
}
