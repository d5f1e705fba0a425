import { expect, test } from "bun:test";
import { formatSelfCommand } from "./self-command.ts";
import type { ProcessSnapshot } from "./types.ts";

const base = { execPath: "/usr/bin/x", entry: "/app/src/cli/main.ts", compiled: false, runtimeFlags: [] as string[] };

test.each<[string, ProcessSnapshot, string[]]>([
  ["compiled binary re-executes itself", { ...base, runtime: "bun", execPath: "/opt/gunicorn-companion", entry: null, compiled: true }, ["/opt/gunicorn-companion", "manager", "--state-dir", "/s"]],
  ["bun runs the same entry file", { ...base, runtime: "bun" }, ["/usr/bin/x", "/app/src/cli/main.ts", "manager", "--state-dir", "/s"]],
  ["deno run repeats its permission flags", { ...base, runtime: "deno", runtimeFlags: ["--allow-read", "--allow-run"] }, ["/usr/bin/x", "run", "--allow-read", "--allow-run", "/app/src/cli/main.ts", "manager", "--state-dir", "/s"]],
  ["node runs the bundle with its execArgv", { ...base, runtime: "node", entry: "/app/dist/node/cli.mjs", runtimeFlags: ["--max-old-space-size=64"] }, ["/usr/bin/x", "--max-old-space-size=64", "/app/dist/node/cli.mjs", "manager", "--state-dir", "/s"]],
])("%s", (_, snapshot, argv) => {
  expect(formatSelfCommand(snapshot, "manager", ["--state-dir", "/s"])).toEqual(argv);
});

test("without an entry file outside a binary there is nothing to run", () => {
  expect(() => formatSelfCommand({ ...base, runtime: "node", entry: null }, "companion", [])).toThrow("no entry file");
});
