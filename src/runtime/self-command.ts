import type { ProcessSnapshot } from "./types.ts";

/** The roles this program can be started in besides the CLI itself. */
export type ChildRole = "manager" | "companion" | "worker" | "reread-config";

/**
 * The argv that starts this same program in another role. JavaScript runtimes
 * cannot fork, so every child is a fresh process: the compiled binary
 * re-executes itself, `bun` and `node` run the same entry file, and `deno run`
 * repeats the permission flags this process was granted.
 *
 * @example
 * formatSelfCommand({ runtime: "bun", execPath: "/usr/bin/bun", entry: "/app/src/cli/main.ts",
 *   compiled: false, runtimeFlags: [] }, "manager", ["--state-dir", "/tmp/x"])
 * // => ["/usr/bin/bun", "/app/src/cli/main.ts", "manager", "--state-dir", "/tmp/x"]
 */
export function formatSelfCommand(snapshot: ProcessSnapshot, role: ChildRole, args: readonly string[]): string[] {
  return formatSelfArgv(snapshot, [role, ...args]);
}

/** The argv that runs this same program with `args` (what follows the program, or the entry file). */
export function formatSelfArgv(snapshot: ProcessSnapshot, args: readonly string[]): string[] {
  if (snapshot.compiled) return [snapshot.execPath, ...args];
  if (snapshot.entry === null) {
    throw new Error(`cannot start ${args[0] ?? "this program"}: no entry file is known for this ${snapshot.runtime} process`);
  }
  switch (snapshot.runtime) {
    case "bun":
      return [snapshot.execPath, ...snapshot.runtimeFlags, snapshot.entry, ...args];
    case "deno":
      return [snapshot.execPath, "run", ...snapshot.runtimeFlags, snapshot.entry, ...args];
    case "node":
      return [snapshot.execPath, ...snapshot.runtimeFlags, snapshot.entry, ...args];
  }
}
