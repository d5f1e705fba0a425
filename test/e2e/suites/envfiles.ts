/**
 * Env files with real processes, the same on every launcher: a `.env` in the
 * master's working directory is never read (Bun would autoload it), the
 * files named by env_file, companion_env_file and a companion's env_file are,
 * each under the explicit env.
 */
import { expect } from "bun:test";
import { join } from "node:path";
import { e2e } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, startMaster, withMaster } from "../../helpers/master.ts";

/** A command companion that prints the variables these tests look at, then waits. */
const printer = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  command: ["/bin/sh", "-c", `echo "ENV ${name} DOT=\${DOT:-unset} A=\${A:-unset} B=\${B:-unset} C=\${C:-unset} M=\${M:-unset}"; exec sleep 60`],
  ...extra,
});

export function envFileTests(launcher: Launcher): void {
  e2e("envfile: a .env in the cwd is not read; env_file, companion_env_file and a companion's env_file are, under env", async () => {
    const files = {
      ".env": "DOT=from-dotenv\nA=from-dotenv\n",
      "master.env": "export M=master\n",
      "shared.env": "A=shared\nB=shared\nC=shared\n",
      "own.env": "# the companion's own\nB='own'\nC=own\n",
    };
    const config = {
      ...FAST,
      env_file: "master.env",
      companion_env_file: "shared.env",
      companion_workers: [printer("plain"), printer("own", { env_file: "own.env", env: { C: "explicit" } })],
    };
    await withMaster(launcher, { config, files }, async (run) => {
      await run.waitOutput(/ENV own .*\n/);
      await run.waitOutput(/ENV plain .*\n/);
      expect(run.output()).toContain("ENV plain DOT=unset A=shared B=shared C=shared M=master");
      expect(run.output()).toContain("ENV own DOT=unset A=shared B=own C=explicit M=master");
    });
  });

  e2e("envfile: a missing env_file stops the master at start with an error naming the file", async () => {
    const run = await startMaster(launcher, { config: { ...FAST, companion_workers: [printer("p", { env_file: "missing.env" })] }, waitReady: false });
    try {
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(`companion_workers[0].env_file = "${join(run.dir, "missing.env")}": env file not found`);
    } finally {
      run.cleanup();
    }
  });
}
