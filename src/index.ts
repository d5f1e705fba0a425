/**
 * The public API of gunicorn-companion for TypeScript configs:
 *
 * @example
 * // gunicorn.conf.ts
 * import { defineConfig } from "gunicorn-companion";
 * export default defineConfig({
 *   companion_control_socket: "/run/app/companion.sock",
 *   companion_workers: [{ name: "worker", target: "./jobs/worker.ts:run", stop_timeout: 30 }],
 * });
 */
import type { CompanionSpecInput, SettingsInput } from "./config/schema.ts";

/** Every setting of a config file; all optional. */
export type Config = SettingsInput;

/** One entry of `companion_workers`. */
export type CompanionSpec = CompanionSpecInput;

/** Types a config object (it returns it unchanged); checking happens when the master loads it. */
export function defineConfig(config: Config): Config {
  return config;
}

/** Types one companion spec. */
export function defineCompanion(spec: CompanionSpec): CompanionSpec {
  return spec;
}
