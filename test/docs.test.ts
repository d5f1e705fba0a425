/** docs/settings.md and schema.json are generated from the schema: they must match it (run `npm run docs`). */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles } from "../build/docs.ts";
import { ROOT } from "./helpers/launchers.ts";

for (const [path, content] of Object.entries(generatedFiles())) {
  test(`${path} is up to date (npm run docs)`, () => {
    expect(readFileSync(join(ROOT, path), "utf8")).toBe(content);
  });
}

test("schema.json describes every setting and accepts what the loader accepts", () => {
  const schema = JSON.parse(readFileSync(join(ROOT, "schema.json"), "utf8")) as { properties: Record<string, { description?: string }> };
  for (const [name, property] of Object.entries(schema.properties)) expect({ name, described: typeof property.description }).toEqual({ name, described: "string" });
});
