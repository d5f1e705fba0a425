/** The lease settings of singleton companions (docs/multi-host.md, docs/settings.md): defaults, checks, and what a change restarts. */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { companionConfigOf, hashCompanion, hashCompanionConfig, loadConfig } from "../../src/config/index.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { makeTempDir } from "../helpers/temp.ts";

const runtime = await getRuntime();
let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir("gc-lease");
});
afterEach(() => tmp.cleanup());

const load = (config: Record<string, unknown>) => loadConfig(runtime, { configFile: tmp.file("c.json", JSON.stringify(config)), overrides: {}, cwd: tmp.dir });
const sched = (extra: Record<string, unknown> = {}) => ({ name: "sched", command: ["sleep", "60"], singleton: true, ...extra });

async function errorOf(config: Record<string, unknown>): Promise<string> {
  try {
    await load(config);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

test("a singleton resolves with the lease settings and their defaults (cluster default, ttl 10 s); numprocs gives each member its own", async () => {
  const { settings } = await load({ companion_lease_url: "rediss://:s3cret@redis.internal:6380/2", companion_workers: [sched({ numprocs: 2 }), { name: "web", command: "true" }] });
  const config = companionConfigOf(settings);
  expect(config.lease).toEqual({ url: "rediss://:s3cret@redis.internal:6380/2", cluster: "default", ttl: 10 });
  expect(config.companions.map((c) => [c.name, c.singleton])).toEqual([["sched:0", true], ["sched:1", true], ["web", false]]);
  const ttl = companionConfigOf((await load({ companion_lease_url: "redis://r:6379", companion_lease_ttl: 0.5, companion_cluster: "eu" })).settings).lease;
  expect(ttl).toEqual({ url: "redis://r:6379", cluster: "eu", ttl: 0.5 });
});

test("a singleton without companion_lease_url is an error naming the companion; bad URL, ttl and cluster name the setting and value", async () => {
  expect(await errorOf({ companion_workers: [{ name: "web", command: "true" }, sched()] })).toMatch(/companion_workers\[1\]\.singleton.*sched|sched.*companion_workers\[1\]\.singleton/s);
  expect(await errorOf({ companion_workers: [sched()] })).toContain("companion_lease_url");
  // The URL may carry a password: it is never printed.
  const badUrl = await errorOf({ companion_lease_url: "http://:s3cret@redis:6379" });
  expect(badUrl).toMatch(/companion_lease_url = <hidden>: expected a URL such as "redis:\/\//);
  expect(badUrl).not.toContain("s3cret");
  expect(await errorOf({ companion_lease_url: "redis://r", companion_lease_ttl: 0 })).toMatch(/companion_lease_ttl[\s\S]*at least 0.1/);
  expect(await errorOf({ companion_lease_url: "redis://r", companion_cluster: "a b" })).toMatch(/companion_cluster[\s\S]*spaces/);
  expect(await errorOf({ companion_lease_url: "redis://r", companion_workers: [sched({ singleton: "yes" })] })).toMatch(/singleton[\s\S]*true or false/);
});

test("turning singleton on restarts that companion on reread; a change of the lease settings restarts the manager on HUP", async () => {
  const plain = companionConfigOf((await load({ companion_lease_url: "redis://r", companion_workers: [sched({ singleton: false })] })).settings);
  const single = companionConfigOf((await load({ companion_lease_url: "redis://r", companion_workers: [sched()] })).settings);
  expect(hashCompanion(single.companions[0] as never)).not.toBe(hashCompanion(plain.companions[0] as never));
  const other = companionConfigOf((await load({ companion_lease_url: "redis://r", companion_lease_ttl: 3, companion_workers: [sched()] })).settings);
  expect(hashCompanionConfig(other)).not.toBe(hashCompanionConfig(single));
});
