/** The public config types stay in step with the schema: same keys, and every typed config is input the schema accepts (checked by tsc). */
import { expect, test } from "bun:test";
import * as v from "valibot";
import { defineCompanion, defineConfig, type CompanionSpec, type Config } from "./define.ts";
import { SettingsSchema, type CompanionSpecInput, type SettingsInput } from "./schema.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** A setting or spec key added to the schema but not to define.ts (or the other way) fails to compile here. */
const settingKeys: Same<keyof Config, keyof SettingsInput> = true;
const specKeys: Same<keyof CompanionSpec, keyof CompanionSpecInput> = true;
/** Every config the types allow is input the schema's types allow. */
const accepted = (config: Config): SettingsInput => config;

test("the public types match the schema, and a typed config validates", () => {
  expect([settingKeys, specKeys]).toEqual([true, true]);
  const config = defineConfig({
    workers: 2,
    companion_workers: [defineCompanion({ name: "w", command: ["sleep", "1"], numprocs: 2, restart_policy: "on-failure", start_retries: 3 }), { name: "t", target: "./t.ts:run" }],
  });
  expect(v.safeParse(SettingsSchema, accepted(config)).success).toBe(true);
});
