/**
 * Pure: how one configured companion becomes its members. `numprocs: N > 1`
 * makes N members named `NAME:0` … `NAME:N-1`; with 1 the name stays `NAME`.
 * `{instance}` in a command and in env values becomes the member's index.
 */

/** The most members one companion may have (`numprocs`). */
export const MAX_NUMPROCS = 1000;

/** The name of member `instance` of `group` when it has `numprocs` members. */
export function memberName(group: string, instance: number, numprocs: number): string {
  return numprocs === 1 ? group : `${group}:${instance}`;
}

/** Every member name of a companion, in instance order. */
export function memberNames(group: string, numprocs: number): string[] {
  return Array.from({ length: numprocs }, (_, instance) => memberName(group, instance, numprocs));
}

/** Replaces every `{instance}` in `text` with the index. */
export function substituteInstance(text: string, instance: number): string {
  return text.replaceAll("{instance}", String(instance));
}

/** A command with `{instance}` replaced: in the shell string, or in each argv element. */
export function commandFor(command: string | readonly string[], instance: number): string | readonly string[] {
  return typeof command === "string" ? substituteInstance(command, instance) : command.map((arg) => substituteInstance(arg, instance));
}

/** Environment values with `{instance}` replaced. */
export function envFor(env: Readonly<Record<string, string>>, instance: number): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, substituteInstance(value, instance)]));
}
