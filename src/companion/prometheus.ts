/**
 * Pure: Prometheus's text exposition format (version 0.0.4): a HELP and a
 * TYPE line per metric family, then its samples, with label values and help
 * text escaped as the format says. See docs/metrics.md.
 */

/** The content type of the text format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample: its label set as `labelSet` renders it (`""` for none), and its value. */
export interface Sample {
  labels: string;
  value: number;
}

/** A metric family: every sample of one name. */
export interface MetricFamily {
  name: string;
  help: string;
  type: "gauge" | "counter";
  samples: Sample[];
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** A label value inside double quotes: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  // Most values need nothing: test once instead of rebuilding every string (a scrape renders thousands).
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\"\n]/g, (char) => (char === "\n" ? "\\n" : `\\${char}`));
}

/** HELP text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === "\n" ? "\\n" : "\\\\"));
}

/** A sample value: integers as such, NaN and infinities as the format spells them. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** `a="1",b="2"`: label pairs with escaped values, without braces (to extend or to wrap). */
export function labelPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  let text = "";
  for (const [name, value] of pairs) text += `${text === "" ? "" : ","}${name}="${escapeLabelValue(value)}"`;
  return text;
}

/** `{a="1",b="2"}`, or `""` without labels: rendered once, shared by the samples that carry it. */
export function labelSet(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.length === 0 ? "" : `{${labelPairs(pairs)}}`;
}

/** The whole exposition, one family after another, ending with a newline. */
export function formatExposition(families: readonly MetricFamily[]): string {
  let text = "";
  for (const family of families) {
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) text += `${family.name}${sample.labels} ${formatValue(sample.value)}\n`;
  }
  return text;
}
