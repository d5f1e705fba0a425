import { describe, expect, test } from "bun:test";
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";
import { getRuntime } from "../../src/runtime/index.ts";
import { makeTempDir } from "../helpers/temp.ts";

async function load(dir: string, config: Record<string, unknown>) {
  const file = join(dir, "gunicorn.conf.json");
  writeFileSync(file, JSON.stringify(config));
  return loadConfig(await getRuntime(), { configFile: file, overrides: {}, cwd: dir });
}

describe("env files", () => {
  test("companion_env_file < a companion's env_file < companion_env < env; env_file is the master's", async () => {
    const tmp = makeTempDir("envf");
    try {
      tmp.file("shared.env", "A=shared\nB=shared\nC=shared\nD=shared\n");
      mkdirSync(join(tmp.dir, "w"));
      writeFileSync(join(tmp.dir, "w/own.env"), "B=own\nC=own\nD=own\nI=n{instance}\n");
      tmp.file("master.env", "export M='master $X'\n");
      const { settings } = await load(tmp.dir, {
        env_file: "master.env",
        companion_env_file: "shared.env",
        companion_env: { C: "companion_env", D: "companion_env" },
        companion_workers: [
          { name: "a", command: "true", cwd: "w", env_file: "own.env", env: { D: "env" }, numprocs: 2 },
          { name: "b", command: "true" },
        ],
      });
      expect(settings.master_env).toEqual({ M: "master $X" });
      expect(settings.env_file).toBe(join(tmp.dir, "master.env"));
      const [a0, a1, b] = settings.companion_workers;
      expect(a0?.env).toEqual({ A: "shared", B: "own", C: "companion_env", D: "env", I: "n0" });
      expect(a1?.env.I).toBe("n1");
      expect(b?.env).toEqual({ A: "shared", B: "shared", C: "companion_env", D: "companion_env" });
    } finally {
      tmp.cleanup();
    }
  });

  test("a missing env file is a config error naming the setting and the file", async () => {
    const tmp = makeTempDir("envf");
    try {
      const error = await load(tmp.dir, { companion_workers: [{ name: "a", command: "true", env_file: "nope.env" }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(`companion_workers[0].env_file = "${join(tmp.dir, "nope.env")}": env file not found: ${join(tmp.dir, "nope.env")}`);
      const master = await load(tmp.dir, { env_file: "gone.env" }).catch((e: unknown) => e);
      expect((master as Error).message).toContain("env_file");
      expect((master as Error).message).toContain(join(tmp.dir, "gone.env"));
    } finally {
      tmp.cleanup();
    }
  });

  test("a bad line is a config error naming the file and the line", async () => {
    const tmp = makeTempDir("envf");
    try {
      tmp.file("bad.env", "A=1\noops\n");
      const error = await load(tmp.dir, { companion_env_file: "bad.env" }).catch((e: unknown) => e);
      expect((error as Error).message).toContain(`env file ${join(tmp.dir, "bad.env")}: line 2: expected KEY=VALUE`);
    } finally {
      tmp.cleanup();
    }
  });
});
