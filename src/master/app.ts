/**
 * The web app: `path/to/app.ts[:export]` (the default export when no name).
 * The export is a `(req: Request) => Response | Promise<Response>` function, or
 * an object with a `fetch(req)` method (Hono, Elysia, plain Bun/Deno apps).
 */
import { parseModuleExport, type ModuleExport } from "../config/target.ts";
import { describeImportFailure, importModule } from "../load-module.ts";

/** What a worker calls for each request. */
export type AppHandler = (request: Request) => Response | Promise<Response>;

/** An app that cannot be loaded: the message says which app and why. */
export class AppLoadError extends Error {
  constructor(spec: string, reason: string, options: { cause?: unknown } = {}) {
    super(`cannot load app "${spec}": ${reason}`, options);
    this.name = "AppLoadError";
  }
}

/** Turns an app export into a handler, or explains why it is not one. */
export function toHandler(spec: string, exported: unknown): AppHandler {
  if (typeof exported === "function") return exported as AppHandler;
  const fetch = (exported as { fetch?: unknown } | null)?.fetch;
  if (typeof exported === "object" && exported !== null && typeof fetch === "function") {
    return (request) => (fetch as (this: unknown, r: Request) => Response | Promise<Response>).call(exported, request);
  }
  const what = exported === undefined ? "no such export" : `it is ${exported === null ? "null" : typeof exported}, neither a function nor an object with fetch()`;
  throw new AppLoadError(spec, what);
}

/** Imports the app relative to `cwd` and returns its handler. */
export async function loadApp(spec: string, cwd: string, runtime: { name: string; version: string }): Promise<AppHandler> {
  const { module, exportName } = parseModuleExport(spec, "default") as ModuleExport;
  let loaded: Record<string, unknown>;
  try {
    loaded = await importModule(module, cwd);
  } catch (error) {
    throw new AppLoadError(spec, describeImportFailure(error, runtime.name, runtime.version, module), { cause: error });
  }
  return toHandler(spec, loaded[exportName]);
}
