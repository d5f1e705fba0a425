/**
 * Loads the settings: the main config file, then the companion_* settings of
 * `companion_config_file` over it, then the command line over both; validates
 * the result as a whole and resolves it. A reread loads only the companion
 * part, the same way.
 */
import { isAbsolute, resolve } from "node:path";
import * as v from "valibot";
import { ConfigError, type ConfigIssue } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import type { ProcessInfo, Modules } from "../runtime/index.ts";
import { createEnvFileReader } from "./env-file.ts";
import { toConfigIssues } from "./issues.ts";
import { readConfigFile } from "./read-file.ts";
import { checkCompanionSpecs, checkSingletons, specKeysOf } from "./rules.ts";
import { companionConfigOf, resolveSettings, type CompanionConfig, type Settings } from "./resolve.ts";
import { COMPANION_SETTING_NAMES, CompanionSpecSchema, SETTING_NAMES, SettingsSchema } from "./schema.ts";

/** Where settings come from; kept so that a reread or HUP can load them again. */
export interface ConfigSources {
  /** The main config file (absolute), or null. */
  configFile: string | null;
  /** Settings given on the command line; they win over every file. */
  overrides: Record<string, unknown>;
  /** The master's working directory: relative paths resolve against it. */
  cwd: string;
  /** Unknown or misplaced settings are errors instead of warnings (`check`, `master --check-config`). */
  strict?: boolean;
}

/** Loaded settings and the warnings found on the way (unknown settings). */
export interface LoadedConfig {
  settings: Settings;
  warnings: string[];
  /** The companion_* settings of the main file as written, for a reread of companion_config_file. */
  mainCompanionSettings: Record<string, unknown>;
}

/** The label errors use for settings given as flags. */
export const COMMAND_LINE = "command line";

const COMPANION_KEYS = new Set<string>(COMPANION_SETTING_NAMES);
const KNOWN_KEYS = new Set(SETTING_NAMES);
const SPEC_KEYS = Object.keys(CompanionSpecSchema.entries);
const isCompanionKey = (key: string) => COMPANION_KEYS.has(key);
const pick = (values: Record<string, unknown>, keep: (key: string) => boolean) =>
  Object.fromEntries(Object.entries(values).filter(([key]) => keep(key)));

/** Settings merged from several sources, remembering which source each came from. */
class Layers {
  readonly merged: Record<string, unknown> = {};
  readonly origin = new Map<string, string>();
  readonly warnings: string[] = [];
  /** The same findings as issues, by source, for a strict load. */
  readonly ignored = new Map<string, ConfigIssue[]>();
  /** Notes a setting that is ignored: a warning, and an issue should the load be strict. */
  ignore(source: string, key: string, warning: string, issue: string, known: readonly string[]): void {
    const hint = didYouMean(key, known);
    this.warnings.push(`${source}: ${warning.replace("%s", `"${key}"`)}${hint}`);
    this.ignored.set(source, [...(this.ignored.get(source) ?? []), { path: key, message: `${issue}${hint}` }]);
  }
  add(values: Record<string, unknown>, source: string): void {
    for (const [key, value] of Object.entries(values)) {
      this.merged[key] = value;
      this.origin.set(key, source);
    }
  }
}

function absoluteFile(cwd: string, file: string): string {
  return isAbsolute(file) ? file : resolve(cwd, file);
}

/** Reads `companion_config_file` and returns its companion_* settings (others are warned about). */
async function readCompanionFile(runtime: ProcessInfo & Modules, file: string, layers: Layers): Promise<Record<string, unknown>> {
  const values = await readConfigFile(runtime, file);
  for (const key of Object.keys(values)) {
    if (key === "companion_config_file" || !isCompanionKey(key)) {
      const known = KNOWN_KEYS.has(key) ? [] : COMPANION_SETTING_NAMES.filter((name) => name !== "companion_config_file");
      layers.ignore(file, key, "%s is not a companion_* setting and is ignored in companion_config_file", "not a companion_* setting (not allowed in companion_config_file)", known);
    }
  }
  return pick(values, (key) => isCompanionKey(key) && key !== "companion_config_file");
}

/** Validates the merged layers as a whole; every issue is reported against the source its setting came from. */
function validate(layers: Layers, cwd: string, strict = false): Settings {
  const result = v.safeParse(SettingsSchema, layers.merged);
  const sourceOf = (path: string) => layers.origin.get(path.split(/[.[]/)[0] ?? "") ?? COMMAND_LINE;
  const bySource = new Map<string, ConfigIssue[]>(strict ? layers.ignored : []);
  if (!result.success) {
    for (const issue of toConfigIssues(result.issues, layers.merged, SPEC_KEYS)) {
      const source = sourceOf(issue.path);
      bySource.set(source, [...(bySource.get(source) ?? []), issue]);
    }
  }
  // The rules across specs run on what was written, so that one run reports every issue.
  const written = layers.merged.companion_workers;
  const broken = checkCompanionSpecs(Array.isArray(written) ? written.map(specKeysOf) : []);
  if (result.success) broken.push(...checkSingletons(result.output));
  if (broken.length > 0) bySource.set(sourceOf("companion_workers"), [...(bySource.get(sourceOf("companion_workers")) ?? []), ...broken]);
  if (bySource.size > 0 || !result.success) throw ConfigError.combine([...bySource].map(([source, issues]) => new ConfigError(source, issues)));
  return resolveSettings(result.output, cwd, createEnvFileReader(sourceOf));
}

/** Reads every source, validates and resolves. Throws `ConfigError` naming the file, setting and value. */
export async function loadConfig(runtime: ProcessInfo & Modules, sources: ConfigSources): Promise<LoadedConfig> {
  const layers = new Layers();
  let mainCompanionSettings: Record<string, unknown> = {};
  if (sources.configFile !== null) {
    const main = await readConfigFile(runtime, sources.configFile);
    for (const key of Object.keys(main)) {
      // "$schema" points editors at schema.json in a .json config.
      if (!KNOWN_KEYS.has(key) && key !== "$schema") layers.ignore(sources.configFile, key, "unknown setting %s (ignored)", "unknown setting", SETTING_NAMES);
    }
    layers.add(pick(main, (key) => KNOWN_KEYS.has(key)), sources.configFile);
    mainCompanionSettings = pick(main, isCompanionKey);
  }
  const companionFile = sources.overrides.companion_config_file ?? layers.merged.companion_config_file;
  if (typeof companionFile === "string" && companionFile !== "") {
    const file = absoluteFile(sources.cwd, companionFile);
    layers.add(await readCompanionFile(runtime, file, layers), file);
  }
  layers.add(sources.overrides, COMMAND_LINE);
  return { settings: validate(layers, sources.cwd, sources.strict), warnings: layers.warnings, mainCompanionSettings };
}

/**
 * What `reread` loads: the companion settings from `companion_config_file`
 * when one is set (over the main file's companion settings as they were at
 * start), else from the main config file (its companion_* settings only),
 * with the command line over them. Non-companion settings are not looked at.
 */
export async function reloadCompanionConfig(
  runtime: ProcessInfo & Modules,
  sources: ConfigSources,
  mainCompanionSettings: Record<string, unknown>,
): Promise<{ companion: CompanionConfig; warnings: string[] }> {
  const layers = new Layers();
  const overrides = pick(sources.overrides, isCompanionKey);
  const companionFile = overrides.companion_config_file ?? mainCompanionSettings.companion_config_file;
  if (typeof companionFile === "string" && companionFile !== "") {
    layers.add(mainCompanionSettings, sources.configFile ?? COMMAND_LINE);
    const file = absoluteFile(sources.cwd, companionFile);
    layers.add(await readCompanionFile(runtime, file, layers), file);
  } else if (sources.configFile !== null) {
    layers.add(pick(await readConfigFile(runtime, sources.configFile), isCompanionKey), sources.configFile);
  }
  layers.add(overrides, COMMAND_LINE);
  return { companion: companionConfigOf(validate(layers, sources.cwd)), warnings: layers.warnings };
}
