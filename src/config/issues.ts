import type * as v from "valibot";
import type { ConfigIssue } from "../errors.ts";
import { didYouMean } from "../suggest.ts";

/** Formats a valibot path as `companion_workers[1].stop_signal`. */
export function formatIssuePath(path: readonly v.IssuePathItem[] | undefined): string {
  let text = "";
  for (const item of path ?? []) {
    const key = (item as { key?: unknown }).key;
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text === "" ? "(config)" : text;
}

/** The name of the companion an issue is about, read from the raw input, when it has one. */
function companionNameAt(input: Record<string, unknown>, path: readonly v.IssuePathItem[] | undefined): string | undefined {
  const [first, second] = path ?? [];
  if ((first as { key?: unknown } | undefined)?.key !== "companion_workers") return undefined;
  const index = (second as { key?: unknown } | undefined)?.key;
  if (typeof index !== "number") return undefined;
  const list = input.companion_workers;
  const spec = Array.isArray(list) ? (list[index] as { name?: unknown } | undefined) : undefined;
  return typeof spec?.name === "string" && spec.name !== "" ? spec.name : undefined;
}

/**
 * Turns valibot's issues into ours: a setting path, the value found, and a
 * message for operators; an unknown key of a companion spec gets the closest
 * of `specKeys` as a hint.
 */
export function toConfigIssues(issues: readonly v.BaseIssue<unknown>[], input: Record<string, unknown>, specKeys: readonly string[] = []): ConfigIssue[] {
  return issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    const companion = companionNameAt(input, issue.path);
    const last = issue.path?.at(-1) as { origin?: string; key?: unknown } | undefined;
    const base = companion === undefined ? {} : { companion };
    if (issue.received === "undefined" && issue.expected?.startsWith('"')) return { path, message: "is required", ...base };
    if (last?.origin === "key") return { path, message: `unknown key${didYouMean(String(last.key), specKeys)}`, ...base };
    return { path, message: issue.message, value: issue.input, ...base };
  });
}
