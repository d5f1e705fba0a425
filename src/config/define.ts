/**
 * The typing helpers of configs: `defineConfig` and `defineCompanion` return
 * what they are given; checking happens when the master loads the file.
 */
import type { CompanionSpecInput, SettingsInput } from "./schema.ts";

/** Every setting of a config file; all optional. */
export type Config = SettingsInput;

/** One entry of `companion_workers`: exactly one of `target` and `command`. */
export type CompanionSpec = Omit<CompanionSpecInput, "target" | "command"> &
  ({ target: string; command?: never } | { command: string | string[]; target?: never });

/** Types a config object (it returns it unchanged); checking happens when the master loads it. */
export function defineConfig(config: Config): Config {
  return config;
}

/** Types one companion spec. */
export function defineCompanion(spec: CompanionSpec): CompanionSpec {
  return spec;
}
