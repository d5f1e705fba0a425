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

/** Bun keys file modules by path and ignores a file URL's query; it drops one from require.cache. */
export async function importFreshBun(path: string): Promise<Record<string, unknown>> {
  const require = createRequire(import.meta.url);
  delete require.cache[path];
  return (await import(path)) as Record<string, unknown>;
}
