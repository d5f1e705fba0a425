/**
 * Pure: the spawn options of one companion member. A target companion runs
 * this program in its companion role (the argv the manager gives); a command
 * companion runs its own program: an argv as given (no shell; the runtime
 * looks the program up on the PATH of the child's env) or a string under
 * `/bin/sh -c`. Everything else is the same for both.
 */
import type { ResolvedCompanion } from "../config/resolve.ts";
import type { SpawnOptions } from "../runtime/index.ts";

/** The argv of a command companion. */
export function commandArgv(command: string | readonly string[]): string[] {
  return typeof command === "string" ? ["/bin/sh", "-c", command] : [...command];
}

function toStdio(target: string): SpawnOptions["stdout"] {
  return target === "inherit" ? "inherit" : { file: target, append: true };
}

function toStderr(target: string): SpawnOptions["stderr"] {
  return target === "stdout" ? "stdout" : toStdio(target);
}

/**
 * Spawn options of `spec`; `targetArgv` gives the argv that runs a target.
 * `stdio`, when the manager carries the output (output.ts), says which
 * streams are pipes; without it the child writes to its targets itself.
 */
export function companionSpawnOptions(
  spec: ResolvedCompanion,
  baseEnv: Readonly<Record<string, string>>,
  targetArgv: (target: string) => string[],
  stdio?: { stdout: SpawnOptions["stdout"]; stderr: SpawnOptions["stderr"] },
): SpawnOptions {
  return {
    // The config layer guarantees exactly one of command and target.
    argv: spec.command !== null ? commandArgv(spec.command) : targetArgv(spec.target ?? ""),
    cwd: spec.cwd,
    // Tell the process which member it runs as, whatever it is.
    env: { ...baseEnv, ...spec.env, GUNICORN_COMPANION_NAME: spec.name, GUNICORN_COMPANION_INSTANCE: String(spec.instance) },
    stdin: "ignore",
    stdout: stdio?.stdout ?? toStdio(spec.stdout),
    stderr: stdio?.stderr ?? toStderr(spec.stderr),
    // Its own process group, so a stop reaches whatever it starts too.
    processGroup: true,
  };
}
