/**
 * Reads the env files a config names (`env_file`, `companion_env_file`, a
 * companion's `env_file`) with the one parser of dotenv.ts. A file that is
 * missing or not `KEY=VALUE` is a ConfigError naming the setting and the file.
 */
import { readFileSync } from "node:fs";
import { ConfigError, errorMessage } from "../errors.ts";
import { parseDotenv } from "./dotenv.ts";
import type { EnvFileReader } from "./resolve.ts";

/** A reader of env files; `sourceOf(setting)` names where the setting was written (a config file or the command line). */
export function createEnvFileReader(sourceOf: (setting: string) => string): EnvFileReader {
  const cache = new Map<string, Record<string, string>>();
  return (path, setting) => {
    const cached = cache.get(path);
    if (cached !== undefined) return cached;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      const missing = (error as { code?: string }).code === "ENOENT";
      const message = missing ? `env file not found: ${path}` : `cannot read env file ${path}: ${errorMessage(error)}`;
      throw new ConfigError(sourceOf(setting), [{ path: setting, value: path, message }], { cause: error });
    }
    try {
      const vars = parseDotenv(text);
      cache.set(path, vars);
      return vars;
    } catch (error) {
      throw new ConfigError(sourceOf(setting), [{ path: setting, value: path, message: `env file ${path}: ${errorMessage(error)}` }], { cause: error });
    }
  };
}
