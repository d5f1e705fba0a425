#!/usr/bin/env node
/**
 * `npm test`: builds what the end-to-end suite launches (the Node bundle and
 * the host's compiled binary), runs every test with `bun test`, and ends with
 * one line of our own counts, read from the JUnit report: `N passed, N failed`.
 * Extra arguments go to `bun test` (a path or `-t pattern`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bun = join(root, "node_modules/.bin/bun");
const report = join(root, ".tmp/junit.xml");

function run(argv) {
  const result = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: "inherit" });
  return result.status ?? 1;
}

if (!existsSync(bun)) {
  console.error("node_modules/.bin/bun is missing: run npm ci first");
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const buildStatus = run([bun, "build/compile.ts"]);
mkdirSync(dirname(report), { recursive: true });
rmSync(report, { force: true });
const testStatus = run([bun, "test", "--max-concurrency=8", "--reporter=junit", `--reporter-outfile=${report}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const xml = readFileSync(report, "utf8");
  const root = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? "";
  const count = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(root)?.[1] ?? 0);
  failed = count("failures") + count("errors");
  passed = count("tests") - failed - count("skipped");
}
// A build that failed, or a run that failed outside any test (a file that does not load), is a failure too.
if (buildStatus !== 0) failed += 1;
if (testStatus !== 0 && failed === 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
