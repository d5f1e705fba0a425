/** How this Deno process was started, so that it can start itself in another role. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProcessSnapshot } from "../types.ts";

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/** The `--allow-*` flags this process was granted, for a child to get the same. */
function grantedPermissionFlags(): string[] {
  const flags: string[] = [];
  for (const name of PERMISSIONS) {
    try {
      if (Deno.permissions.querySync({ name }).state === "granted") flags.push(`--allow-${name}`);
    } catch {
      // an older Deno without this permission kind
    }
  }
  return flags;
}

/** The deno.json that applies to `entry`, so a child with another cwd resolves imports the same way. */
function findDenoConfig(entry: string): string | null {
  let dir = dirname(entry);
  for (;;) {
    for (const name of ["deno.json", "deno.jsonc"]) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The snapshot of this process: the deno executable, the entry module, and the flags a child needs. */
export function snapshotDeno(): ProcessSnapshot {
  const entry = fileURLToPath(Deno.mainModule);
  const config = findDenoConfig(entry);
  return {
    runtime: "deno",
    execPath: Deno.execPath(),
    entry,
    compiled: false,
    // --unstable-net: HTTP workers bind with SO_REUSEPORT, which Deno keeps behind it.
    runtimeFlags: [...grantedPermissionFlags(), ...(config === null ? [] : ["--config", config]), "--unstable-net", "--no-prompt"],
  };
}
