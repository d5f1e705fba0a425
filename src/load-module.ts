/**
 * Imports an operator's module (a companion target or the app) the way
 * gunicorn users expect: a path resolves against a working directory, a bare
 * name is a package installed there. Every companion process runs this first,
 * so it loads no Node builtin module unless a package name needs resolving.
 */

/** A module given as a path (rather than a package name): starts with `.` or `/`, or names a script file. */
export function isPathSpecifier(module: string): boolean {
  return module.startsWith(".") || module.startsWith("/") || /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/.test(module);
}

/** A file URL for a path, escaped as `pathToFileURL` would (`#`, `?` and `%` included). */
export function fileUrl(path: string): string {
  return `file://${encodeURI(path).replace(/#/g, "%23").replace(/\?/g, "%3F")}`;
}

/** `path` resolved against the directory `cwd`, as a file URL. */
export function resolvePathUrl(path: string, cwd: string): string {
  return path.startsWith("/") ? fileUrl(path) : new URL(encodeURI(path).replace(/#/g, "%23").replace(/\?/g, "%3F"), fileUrl(cwd.endsWith("/") ? cwd : `${cwd}/`)).href;
}

/** The URL or specifier to import `module` by, from `cwd`. */
export async function resolveModule(module: string, cwd: string): Promise<string> {
  if (isPathSpecifier(module)) return resolvePathUrl(module, cwd);
  const { createRequire } = await import("node:module");
  try {
    return fileUrl(createRequire(`${cwd.endsWith("/") ? cwd : `${cwd}/`}noop.js`).resolve(module));
  } catch {
    // ESM-only packages may have no "require" export condition; let import() resolve it.
    return module;
  }
}

/** Imports `module` relative to `cwd`. */
export async function importModule(module: string, cwd: string): Promise<Record<string, unknown>> {
  return (await import(await resolveModule(module, cwd))) as Record<string, unknown>;
}

/** Why a module failed to load, in one line; names the Node versions that load TypeScript. */
export function describeImportFailure(error: unknown, runtimeName: string, runtimeVersion: string, module: string): string {
  const code = (error as { code?: string } | null)?.code;
  if (runtimeName === "node" && code === "ERR_UNKNOWN_FILE_EXTENSION") {
    return `Node ${runtimeVersion} cannot load TypeScript (${module}); use .js/.mjs, Node 22.18+, or run with bun, deno or the binary`;
  }
  return error instanceof Error ? error.message : String(error);
}
