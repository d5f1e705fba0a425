/**
 * Pure: which companions a name in a control request means. A member's own
 * name (`worker`, `worker:2`), a group name (all its members; `worker:*` too),
 * or `all`. Unknown names are errors with a "did you mean …" hint.
 */
import { didYouMean } from "../suggest.ts";

/** What a name is resolved against: each member's name and the group it belongs to. */
export interface Member {
  name: string;
  group: string;
}

/** The members a request names, and whether it names several (`all`, or a group of more than one). */
export type NameResolution = { ok: true; names: string[]; several: boolean } | { ok: false; error: string };

/** The word that means every companion. */
export const ALL = "all";

function expand(query: string, members: readonly Member[]): string[] | null {
  if (query === ALL) return members.map((m) => m.name);
  if (members.some((m) => m.name === query)) return [query];
  const group = query.endsWith(":*") ? query.slice(0, -2) : query;
  const found = members.filter((m) => m.group === group).map((m) => m.name);
  return found.length > 0 ? found : null;
}

function unknownError(unknown: readonly string[], members: readonly Member[]): string {
  const known = new Set<string>([...members.map((m) => m.group), ...members.map((m) => m.name)]);
  const one = (name: string) => `"${name}"`;
  if (unknown.length === 1) return `unknown companion ${one(unknown[0] as string)}${didYouMean(unknown[0] as string, known)}`;
  return `unknown companions ${unknown.map((name) => `${one(name)}${didYouMean(name, known).replace(/^; (.*)$/, " ($1)")}`).join(", ")}`;
}

/** Resolves the name of a start, stop, restart or signal request. */
export function resolveName(query: string, members: readonly Member[]): NameResolution {
  const names = expand(query, members);
  if (names === null) return { ok: false, error: unknownError([query], members) };
  return { ok: true, names, several: query === ALL || names.length > 1 };
}

/** Resolves the names of a `status` request: every member, or those named (groups expanded), once each, in order. */
export function resolveNames(queries: readonly string[] | undefined, members: readonly Member[]): NameResolution {
  if (queries === undefined || queries.length === 0) return { ok: true, names: members.map((m) => m.name), several: true };
  const names = new Set<string>();
  const unknown: string[] = [];
  for (const query of queries) {
    const found = expand(query, members);
    if (found === null) unknown.push(query);
    else for (const name of found) names.add(name);
  }
  if (unknown.length > 0) return { ok: false, error: unknownError(unknown, members) };
  return { ok: true, names: [...names], several: names.size > 1 };
}
