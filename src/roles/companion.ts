/**
 * The body of a companion process: import the target module, call its
 * export, and await what it returns. It installs no signal handler of its
 * own: signal handling belongs to the target.
 *
 * - The export returns a promise: the process runs while it is pending,
 *   exits 0 when it resolves and 1 when it rejects (the error on stderr).
 * - It returns anything else: the process runs while the event loop has work.
 * - It throws: exit 1 with the error on stderr.
 * - The module or export cannot be loaded: exit 78, the reason on stderr and
 *   in the report file the manager reads for `status`.
 */
import { parseModuleExport } from "../config/target.ts";
import { describeImportFailure, importModule } from "../load-module.ts";
import type { Runtime, Output, ProcessLifetime } from "../runtime/index.ts";
import { EXIT_FAILURE, TARGET_LOAD_FAILED_EXIT_CODE } from "../exit-codes.ts";

/** Arguments of the companion role. */
export interface CompanionArgs {
  name: string;
  target: string;
  /** Where to write why the target could not be loaded. */
  reportFile: string | null;
}

async function failToLoad(runtime: Output & ProcessLifetime, args: CompanionArgs, reason: string): Promise<never> {
  const message = `companion "${args.name}": cannot load target "${args.target}": ${reason}`;
  process.stderr.write(`${message}\n`);
  if (args.reportFile !== null) {
    try {
      // Loaded only here: an ordinary companion start never pays for node:fs.
      (await import("node:fs")).writeFileSync(args.reportFile, reason);
    } catch {
      // The manager falls back to the exit status alone.
    }
  }
  return runtime.exit(TARGET_LOAD_FAILED_EXIT_CODE);
}

/** The error's stack without the frames of this runner (they say nothing about the target). */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = (error.stack ?? error.message).split("\n");
  const ours = lines.findIndex((line) => line.includes("runCompanion"));
  return (ours > 0 ? lines.slice(0, ours) : lines).join("\n");
}

function failed(runtime: Output & ProcessLifetime, args: CompanionArgs, error: unknown): never {
  const text = describeFailure(error);
  process.stderr.write(`companion "${args.name}": ${args.target} failed: ${text}\n`);
  return runtime.exit(EXIT_FAILURE);
}

/** Runs the companion role. Returns only when the target returned no promise (the event loop keeps us alive). */
export async function runCompanion(runtime: Runtime, args: CompanionArgs): Promise<void> {
  const target = parseModuleExport(args.target, null);
  if (target === null) return failToLoad(runtime, args, 'expected "module:export"');
  let module: Record<string, unknown>;
  try {
    module = await importModule(target.module, runtime.cwd());
  } catch (error) {
    return failToLoad(runtime, args, describeImportFailure(error, runtime.name, runtime.version, target.module));
  }
  const exported = module[target.exportName];
  if (typeof exported !== "function") {
    const what = exported === undefined ? "no such export" : `it is ${typeof exported}, not a function`;
    return failToLoad(runtime, args, `export "${target.exportName}" of ${target.module}: ${what}`);
  }
  let result: unknown;
  try {
    result = (exported as () => unknown)();
  } catch (error) {
    failed(runtime, args, error);
  }
  if (typeof (result as { then?: unknown } | null)?.then !== "function") return;
  // Keep the process alive while the promise is pending, even with nothing else scheduled.
  const keepAlive = setInterval(() => {}, 2 ** 30);
  try {
    await result;
  } catch (error) {
    failed(runtime, args, error);
  }
  clearInterval(keepAlive);
  runtime.exit(0);
}
