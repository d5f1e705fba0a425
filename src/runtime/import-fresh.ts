import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

let generation = 0;

/**
 * Node and Deno key their module cache by URL, so a new query string gives a
 * fresh evaluation of the file.
 */
export async function importFreshByUrl(path: string): Promise<Record<string, unknown>> {
  generation += 1;
  return (await import(`${pathToFileURL(path).href}?reload=${generation}`)) as Record<string, unknown>;
}

/**
 * Bun keys file modules by path and ignores a file URL's query, but not a
 * plain path's: a new `?reload=N` evaluates the file again, even after an
 * earlier import of it never settled (a top-level await that hangs).
 */
export async function importFreshBun(path: string): Promise<Record<string, unknown>> {
  generation += 1;
  const require = createRequire(import.meta.url);
  delete require.cache[path];
  return (await import(`${path}?reload=${generation}`)) as Record<string, unknown>;
}
