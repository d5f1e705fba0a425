/**
 * The one lookup of a child's program, shared by every adapter. Bun, Deno
 * and Node all search a bare name on the PATH of the child's env (not ours),
 * but they word a miss differently, and Deno's file redirection runs the
 * program through `sh -c 'exec "$@"'`, where a miss would be an exit 127
 * instead of a spawn failure. Looking it up here first makes all of them
 * alike: the same PATH, the same SpawnError naming the program, and a
 * relative path always taken from the child's cwd.
 */
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, resolve } from "node:path";
import process from "node:process";
import type { SpawnOptions } from "./types.ts";
import { SpawnError } from "./types.ts";

/** What execvp searches when PATH is unset. */
const DEFAULT_PATH = "/usr/bin:/bin";

/** A file we may execute: what execvp takes from a PATH directory (it skips the others and searches on). */
function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * `options.argv` with its program made absolute: a bare name found on the
 * PATH of `options.env` (this process's when no env is given), a relative
 * path resolved against `options.cwd`. Throws a SpawnError naming the
 * program when a bare name is on no PATH directory.
 */
export function resolveProgram(options: SpawnOptions): string[] {
  const [program, ...args] = options.argv;
  if (program === undefined || program === "") throw new SpawnError("cannot start an empty command", options.argv, { code: "ENOENT" });
  if (isAbsolute(program)) return [program, ...args];
  const cwd = options.cwd ?? process.cwd();
  if (program.includes("/")) return [resolve(cwd, program), ...args];
  const path = (options.env === undefined ? process.env.PATH : options.env.PATH) ?? DEFAULT_PATH;
  for (const dir of path.split(delimiter)) {
    // An empty PATH entry means the working directory, as for execvp.
    const candidate = resolve(cwd, dir === "" ? "." : dir, program);
    if (isExecutableFile(candidate)) return [candidate, ...args];
  }
  throw new SpawnError(`cannot start ${program}: not found on PATH (${path})`, options.argv, { code: "ENOENT" });
}
