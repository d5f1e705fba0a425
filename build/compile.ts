/**
 * Builds what ships:
 * - `dist/node/cli.mjs`: one bundle for Node 20 and later (also the npm
 *   package's bin, which Bun and Deno run as well);
 * - `dist/node/index.mjs` and `dist/types/`: the npm package's `exports` (what a
 *   config's `import { defineConfig } from "gunicorn-companion"` loads) and its
 *   declarations, emitted by tsc from src/index.ts (tsconfig.types.json);
 * - `dist/gunicorn-companion-<os>-<arch>`: self-contained executables made by
 *   `bun build --compile` (the host's by default; `--all` for linux-x64,
 *   linux-arm64, darwin-x64 and darwin-arm64, which Bun fetches from the npm
 *   registry), minified, with `.env`/`bunfig.toml` autoloading turned off so an
 *   operator's working directory cannot change the binary's behaviour;
 * - `dist/SHA256SUMS` over the executables.
 *
 * Usage: bun build/compile.ts [--all] [--node-only]
 * (`--node-only`: only what the npm package holds; `npm pack` runs that.)
 */
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch, platform } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const dist = join(root, "dist");
const entry = join(root, "src/cli/main.ts");
const ALL_TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64"] as const;

function hostTarget(): string {
  const cpu = arch() === "arm64" ? "arm64" : "x64";
  return `${platform()}-${cpu}`;
}

function run(argv: string[]): void {
  const result = Bun.spawnSync(argv, { cwd: root, stdout: "inherit", stderr: "inherit" });
  if (result.exitCode !== 0) throw new Error(`failed (${result.exitCode}): ${argv.join(" ")}`);
}

function buildNodeBundle(): void {
  const outfile = join(dist, "node/cli.mjs");
  // The entry's "#!/usr/bin/env -S bun --no-env-file" line is kept by the bundler; node's replaces it.
  run([process.execPath, "build", entry, "--target=node", "--format=esm", `--outfile=${outfile}`]);
  const code = readFileSync(outfile, "utf8").replace(/^#!.*\n/, "");
  writeFileSync(outfile, `#!/usr/bin/env node\n${code}`);
  chmodSync(outfile, 0o755);
  console.log(`built ${outfile}`);
}

function buildPublicApi(): void {
  const outfile = join(dist, "node/index.mjs");
  run([process.execPath, "build", join(root, "src/index.ts"), "--target=node", "--format=esm", `--outfile=${outfile}`]);
  const types = join(dist, "types");
  rmSync(types, { recursive: true, force: true });
  run([join(root, "node_modules/.bin/tsc"), "-p", join(root, "tsconfig.types.json")]);
  // tsc keeps the sources' `.ts` specifiers; `.js` ones resolve to the .d.ts files under every moduleResolution.
  for (const name of readdirSync(types, { recursive: true, encoding: "utf8" })) {
    if (!name.endsWith(".d.ts")) continue;
    const file = join(types, name);
    writeFileSync(file, readFileSync(file, "utf8").replace(/(from "\.{1,2}\/[^"]*)\.ts"/g, '$1.js"'));
  }
  console.log(`built ${outfile} and ${types}/`);
}

function buildBinary(target: string): string {
  const outfile = join(dist, `gunicorn-companion-${target}`);
  run([
    process.execPath,
    "build",
    entry,
    "--compile",
    // Lazy imports stay lazy: without splitting, every node: builtin a lazily
    // loaded module imports is hoisted to the top and loaded at every start.
    "--splitting",
    "--minify",
    `--target=bun-${target}`,
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    // package.json files are read at run time, so an operator's app and targets can
    // import the packages installed next to them (hono, bullmq…).
    "--compile-autoload-package-json",
    `--outfile=${outfile}`,
  ]);
  console.log(`built ${outfile}`);
  return outfile;
}

function writeChecksums(): void {
  const lines = readdirSync(dist)
    .filter((name) => name.startsWith("gunicorn-companion-"))
    .sort()
    .map((name) => `${createHash("sha256").update(readFileSync(join(dist, name))).digest("hex")}  ${name}`);
  writeFileSync(join(dist, "SHA256SUMS"), `${lines.join("\n")}\n`);
  console.log(`wrote ${join(dist, "SHA256SUMS")} (${lines.length} file(s))`);
}

const flags = new Set(process.argv.slice(2));
mkdirSync(dist, { recursive: true });
buildNodeBundle();
buildPublicApi();
if (!flags.has("--node-only")) {
  for (const target of flags.has("--all") ? ALL_TARGETS : [hostTarget()]) buildBinary(target);
  writeChecksums();
}
