/** Config errors never print a secret: values under env/companion_env and under secret-looking names are `<hidden>`. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { loadConfig } from "../../src/config/index.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { makeTempDir } from "../helpers/temp.ts";

const runtime = await getRuntime();
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir("gc-secrets");
});
afterEach(() => tmp.cleanup());

async function configError(config: Record<string, unknown>): Promise<ConfigError> {
  try {
    await loadConfig(runtime, { configFile: tmp.file("c.json", JSON.stringify(config)), overrides: {}, cwd: tmp.dir });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

test("a wrong-typed value in a companion's env or in companion_env is <hidden>", async () => {
  const error = await configError({ companion_env: { API_TOKEN: 912345678 }, companion_workers: [{ name: "db", command: "true", env: { DB_PASSWORD: 5 } }] });
  expect(error.lines()).toEqual([
    `${tmp.dir}/c.json: companion_workers[0].env.DB_PASSWORD (companion "db") = <hidden>: environment values must be strings`,
    `${tmp.dir}/c.json: companion_env.API_TOKEN = <hidden>: environment values must be strings`,
  ]);
  expect(error.message).not.toMatch(/912345678|= 5/);
});

test("other wrong values are still printed", async () => {
  const error = await configError({ workers: -5 });
  expect(error.message).toContain("workers = -5");
});
