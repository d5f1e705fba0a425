import { expect, test } from "bun:test";
import { escapeHelp, escapeLabelValue, formatExposition, formatValue, labelSet } from "./prometheus.ts";

test("label values escape backslash, double quote and newline; help text backslash and newline", () => {
  expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
  expect(escapeLabelValue("plain")).toBe("plain");
});

test("values: integers plain, fractions as they are, NaN and infinities spelled out", () => {
  expect([0, 42, 1.5, Number.NaN, Infinity, -Infinity].map(formatValue)).toEqual(["0", "42", "1.5", "NaN", "+Inf", "-Inf"]);
});

test("a family is HELP, TYPE and its samples; one without samples keeps its HELP and TYPE", () => {
  const text = formatExposition([
    {
      name: "x_total",
      help: "How many.",
      type: "counter",
      samples: [
        { labels: labelSet([["name", 'q"'], ["group", "g"]]), value: 3 },
        { labels: labelSet([]), value: 1 },
      ],
    },
    { name: "y", help: "Empty.", type: "gauge", samples: [] },
  ]);
  expect(text).toBe('# HELP x_total How many.\n# TYPE x_total counter\nx_total{name="q\\"",group="g"} 3\nx_total 1\n# HELP y Empty.\n# TYPE y gauge\n');
});
