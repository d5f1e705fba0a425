export { loadConfig, reloadCompanionConfig, COMMAND_LINE, type ConfigSources, type LoadedConfig } from "./load.ts";
export { companionConfigOf, resolveSettings, type CompanionConfig, type ResolvedCompanion, type Settings } from "./resolve.ts";
export { hashCompanion, hashCompanionConfig, encodeCanonicalJson } from "./hash.ts";
export { parseModuleExport, type ModuleExport } from "./target.ts";
export { LOG_LEVELS, SETTING_NAMES, type SettingsInput, type CompanionSpecInput } from "./schema.ts";
