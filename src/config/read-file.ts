import { readFileSync, statSync } from "node:fs";
import { extname } from "node:path";
import { ConfigError, errorMessage } from "../errors.ts";
import type { ProcessInfo, Modules } from "../runtime/index.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { withTimeout } from "../supervise/timeout.ts";

/** Seconds a config module may take to import (a top-level await that hangs ends here). */
export const CONFIG_IMPORT_TIMEOUT_SECS = 10;

/** Environment variable that changes that limit (seconds, fractions allowed). */
export const CONFIG_TIMEOUT_ENV = "GUNICORN_COMPANION_CONFIG_TIMEOUT";

/** Seconds a config module may take to import here (the environment variable, else the default). */
export function importTimeoutSecs(runtime: Pick<ProcessInfo, "env">): number {
  const value = Number(runtime.env()[CONFIG_TIMEOUT_ENV]);
  return Number.isFinite(value) && value > 0 ? value : CONFIG_IMPORT_TIMEOUT_SECS;
}

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);

function fail(file: string, message: string, cause?: unknown): never {
  throw new ConfigError(file, [{ path: "(file)", message }], { cause });
}

/** A readable location for a syntax error: Bun reports `position`, others put it in the message. */
function describeImportError(error: unknown): string {
  const position = (error as { position?: { line?: number; column?: number } } | null)?.position;
  const message = errorMessage(error);
  if (position?.line !== undefined) return `line ${position.line}:${position.column ?? 0}: ${message}`;
  return message;
}

function isTypeScriptUnsupported(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING";
}

let publicApiProvided = false;

/** Lets configs `import { defineConfig } from "gunicorn-companion"` even where no node_modules holds it. */
async function providePublicApi(runtime: ProcessInfo & Modules): Promise<void> {
  if (publicApiProvided) return;
  publicApiProvided = true;
  runtime.provideModule("gunicorn-companion", { ...(await import("./define.ts")) });
}

async function importWithTimeout(runtime: ProcessInfo & Modules, file: string): Promise<Record<string, unknown>> {
  await providePublicApi(runtime);
  const limit = importTimeoutSecs(runtime);
  return withTimeout(runtime.importFresh(file), limit * 1000, createSystemClock(), () => {
    throw new Error(`did not finish importing within ${limit}s (a top-level await that never settles?)`);
  });
}

/** The settings a module exports: named exports, or one default-export object; both at once is an error. */
function settingsFromModule(file: string, module: Record<string, unknown>): Record<string, unknown> {
  const named = Object.keys(module).filter((key) => key !== "default");
  if (!("default" in module) || module.default === undefined) {
    return Object.fromEntries(named.map((key) => [key, module[key]]));
  }
  if (named.length > 0) {
    fail(file, `mixes a default export with named exports (${named.join(", ")}); use one style or the other`);
  }
  const value = module.default;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(file, "the default export must be an object of settings");
  }
  return { ...(value as Record<string, unknown>) };
}

/**
 * Reads a config file as a plain object of settings, every time from disk
 * (module caches are bypassed so that a reread sees the current content).
 */
export async function readConfigFile(runtime: ProcessInfo & Modules, file: string): Promise<Record<string, unknown>> {
  try {
    if (!statSync(file).isFile()) fail(file, "is not a regular file");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    fail(file, "no such file", error);
  }
  const extension = extname(file);
  if (extension === ".json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, "utf8"));
    } catch (error) {
      fail(file, `invalid JSON: ${errorMessage(error)}`, error);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) fail(file, "must hold one JSON object of settings");
    return parsed as Record<string, unknown>;
  }
  if (!MODULE_EXTENSIONS.has(extension)) {
    fail(file, `unsupported config file type "${extension}"; use .ts, .mts, .js, .mjs or .json`);
  }
  let module: Record<string, unknown>;
  try {
    module = await importWithTimeout(runtime, file);
  } catch (error) {
    if (runtime.name === "node" && isTypeScriptUnsupported(error)) {
      fail(
        file,
        `Node ${runtime.version} cannot load TypeScript config files; Node 22.18+ (or 22.6+ with --experimental-strip-types) can, ` +
          "or use a .js/.mjs/.json config, or run with bun, deno or the compiled binary",
        error,
      );
    }
    fail(file, `cannot load: ${describeImportError(error)}`, error);
  }
  return settingsFromModule(file, module);
}
