/**
 * `npm run docs`: writes docs/settings.md and schema.json from the valibot
 * schema, so that neither can drift from what the loader accepts (a test
 * fails when they are stale).
 *
 * Usage: bun build/docs.ts [--check]
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CompanionSpecSchema, SettingsSchema } from "../src/config/schema.ts";
import { COMPANION_KEY_DOCS, SETTING_DOCS } from "../src/config/setting-docs.ts";
import { SIGNAL_NAMES } from "../src/runtime/signals.ts";

type Json = Record<string, unknown>;

const ROOT = resolve(import.meta.dir, "..");
const SIGNALS = [...SIGNAL_NAMES, ...SIGNAL_NAMES.map((s) => s.slice(3))];

function describeType(schema: Json): string {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(" \\| ");
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Json[]).map(describeType).join(" \\| ");
  if (schema.type === "array") return `${describeType((schema.items as Json) ?? {})}[]`;
  if (schema.type === "object" && schema.additionalProperties !== undefined && schema.properties === undefined) return "{ [name]: string }";
  if (schema.type === "object") return "companion spec";
  if (schema.type === "integer") return `integer${schema.minimum !== undefined ? ` ≥ ${schema.minimum}` : ""}`;
  if (schema.type === "number") return `seconds${schema.minimum === 0 ? " ≥ 0" : ""}`;
  return String(schema.type ?? "any");
}

/** The JSON Schema of a config file, with every setting's description. */
export function renderJsonSchema(): string {
  const schema = toJsonSchema(SettingsSchema, { errorMode: "ignore" }) as Json;
  const properties = schema.properties as Record<string, Json>;
  for (const [name, property] of Object.entries(properties)) {
    property.description = SETTING_DOCS[name];
    if (name === "companion_stop_signal") property.enum = SIGNALS;
  }
  const spec = ((properties.companion_workers as Json).items as Json).properties as Record<string, Json>;
  for (const [key, property] of Object.entries(spec)) {
    property.description = COMPANION_KEY_DOCS[key];
    if (key === "stop_signal") property.enum = SIGNALS;
  }
  properties.$schema = { type: "string", description: "Where editors find this schema." };
  return `${JSON.stringify({ $schema: "http://json-schema.org/draft-07/schema#", title: "gunicorn-companion config", ...schema }, null, 2)}\n`;
}

/** docs/settings.md. */
export function renderSettingsMarkdown(): string {
  const settings = (JSON.parse(renderJsonSchema()) as Json).properties as Record<string, Json>;
  const spec = (toJsonSchema(CompanionSpecSchema, { errorMode: "ignore" }) as Json).properties as Record<string, Json>;
  // What the JSON Schema cannot say well.
  const typeOverrides: Record<string, string> = {
    companion_control_socket_mode: 'file mode: a number (0o600) or an octal string ("0600")',
    companion_stop_signal: "signal name (`SIGTERM` or `TERM`, …)",
    stop_signal: "signal name",
  };
  const defaultOverrides: Record<string, string> = { companion_control_socket_mode: "`0o600`", companion_manager_stop_timeout: "derived" };
  const row = (name: string, schema: Json, meaning: string) => {
    const type = typeOverrides[name] ?? describeType(schema);
    const fallback = schema.default === undefined || schema.default === null ? "" : `\`${JSON.stringify(schema.default)}\``;
    return `| \`${name}\` | ${type} | ${defaultOverrides[name] ?? fallback} | ${meaning} |`;
  };
  return [
    "# Settings",
    "",
    "Generated from `src/config/schema.ts` by `npm run docs`; a test fails when this file is stale.",
    "Every duration is in seconds and may be fractional. A config file is `.ts`, `.mts`, `.js`, `.mjs`",
    "(named exports or one default-export object) or `.json` (one object; `\"$schema\": \"./schema.json\"`",
    "gives editors completion). The command line wins over files.",
    "",
    "| setting | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...Object.entries(settings)
      .filter(([name]) => name !== "$schema")
      .map(([name, schema]) => row(name, schema, SETTING_DOCS[name] ?? "")),
    "",
    "## A companion spec (each entry of `companion_workers`)",
    "",
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...Object.entries(spec).map(([key, schema]) => row(key, schema, COMPANION_KEY_DOCS[key] ?? "")),
    "",
    "`name` and `target` are required; unknown keys are errors. Signals may be written `SIGTERM` or `TERM`.",
    "",
  ].join("\n");
}

/** The generated files and their contents. */
export function generatedFiles(): Record<string, string> {
  return { "docs/settings.md": renderSettingsMarkdown(), "schema.json": renderJsonSchema() };
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [path, content] of Object.entries(generatedFiles())) {
    const file = join(ROOT, path);
    if (check) {
      const current = (() => {
        try {
          return readFileSync(file, "utf8");
        } catch {
          return "";
        }
      })();
      if (current !== content) {
        console.error(`${path} is stale: run npm run docs`);
        stale += 1;
      }
    } else {
      writeFileSync(file, content);
      console.log(`wrote ${path}`);
    }
  }
  process.exit(stale === 0 ? 0 : 1);
}
