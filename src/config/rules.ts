/**
 * The rules a per-key schema cannot express, checked on every spec that is an
 * object (whether or not its keys are valid, so that one run reports every
 * issue): each companion has exactly one of `target` and
 * `command`, and no two members share a name (`w` with numprocs 2 makes
 * `w:0` and `w:1`, which a companion literally named `w:1` would clash with).
 */
import type { ConfigIssue } from "../errors.ts";
import { memberNames } from "./instances.ts";

/** The keys of a validated spec these rules look at. */
interface SpecKeys {
  name: string;
  target?: string | undefined;
  command?: string | readonly string[] | undefined;
  numprocs?: number | undefined;
}

function checkOneProgram(spec: SpecKeys, index: number): ConfigIssue | null {
  const at = `companion_workers[${index}]`;
  if (spec.target !== undefined && spec.command !== undefined) {
    return { path: `${at}.command`, companion: spec.name, value: spec.command, message: 'a companion has either "target" or "command", not both' };
  }
  if (spec.target === undefined && spec.command === undefined) {
    return { path: `${at}.target`, companion: spec.name, message: 'is required (or "command" instead)' };
  }
  return null;
}

/** The keys these rules read from a spec as written (not yet validated); null for what is not an object. */
export function specKeysOf(value: unknown, index: number): SpecKeys | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const spec = value as Record<string, unknown>;
  const numprocs = typeof spec.numprocs === "number" && Number.isInteger(spec.numprocs) && spec.numprocs >= 1 && spec.numprocs <= 1000 ? spec.numprocs : 1;
  return {
    name: typeof spec.name === "string" ? spec.name : `#${index}`,
    target: spec.target === undefined ? undefined : String(spec.target),
    command: spec.command === undefined ? undefined : (spec.command as string | readonly string[]),
    numprocs,
  };
}

/** Every issue of the companion list as a whole; empty when it is fine. Entries that are null (not objects) are skipped. */
export function checkCompanionSpecs(specs: ReadonlyArray<SpecKeys | null>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  // Which spec (index and configured name) first claimed each member name.
  const owners = new Map<string, { index: number; name: string }>();
  specs.forEach((spec, index) => {
    if (spec === null) return;
    const program = checkOneProgram(spec, index);
    if (program !== null) issues.push(program);
    for (const member of memberNames(spec.name, spec.numprocs ?? 1)) {
      const owner = owners.get(member);
      if (owner === undefined) {
        owners.set(member, { index, name: spec.name });
        continue;
      }
      const message =
        owner.name === spec.name
          ? `duplicate name (also companion_workers[${owner.index}])`
          : `member name "${member}" of "${spec.name}" clashes with "${owner.name}" (companion_workers[${owner.index}])`;
      issues.push({ path: `companion_workers[${index}].name`, value: spec.name, message });
      break;
    }
  });
  return issues;
}

/** A `singleton` companion needs somewhere to hold its lease: companion_lease_url. */
export function checkSingletons(settings: { companion_workers: ReadonlyArray<{ name: string; singleton?: boolean | undefined }>; companion_lease_url: string | null }): ConfigIssue[] {
  if (settings.companion_lease_url !== null) return [];
  return settings.companion_workers.flatMap((spec, index) =>
    spec.singleton === true
      ? [{ path: `companion_workers[${index}].singleton`, companion: spec.name, value: true, message: "needs companion_lease_url (a redis:// URL where its lease is held)" }]
      : [],
  );
}
