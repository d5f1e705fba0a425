/**
 * A reread's config import, in a short-lived child process: importing a
 * module can never be undone, so a manager that imported the config on each
 * reread grew with every one. The child (this program in its hidden
 * `reread-config` role) loads and validates the companion config as a reread
 * does and prints it as one JSON line; the manager checks that line against
 * the resolved schema and applies it. The manager never evaluates the config.
 */
import { reloadCompanionConfig } from "../config/load.ts";
import { importTimeoutSecs } from "../config/read-file.ts";
import { parseLoadedCompanion } from "../config/resolved-schema.ts";
import type { CompanionConfig } from "../config/resolve.ts";
import { readManagerState } from "../companion/state-dir.ts";
import { errorMessage } from "../errors.ts";
import { EXIT_OK } from "../exit-codes.ts";
import { formatSelfCommand, type Modules, type Output, type Processes, type ProcessInfo } from "../runtime/index.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { withTimeout } from "../supervise/timeout.ts";

/** Starts the child's line of result, so output of the config itself (a console.log) is told apart. */
const RESULT_PREFIX = "gunicorn-companion-reread-config:";
/** Seconds the child gets on top of the config's import limit (its own start-up). */
const START_UP_SECS = 5;
/** More output than any config needs: the child is stopped. */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

type ChildResult = { ok: true; companion: CompanionConfig; warnings: string[] } | { ok: false; error: string };

/** The child's side: loads what a reread loads (sources from the state directory) and prints it. */
export async function runRereadConfig(runtime: ProcessInfo & Modules & Output, stateDir: string): Promise<number> {
  let result: ChildResult;
  try {
    const state = readManagerState(stateDir);
    result = { ok: true, ...(await reloadCompanionConfig(runtime, state.sources, state.mainCompanionSettings)) };
  } catch (error) {
    result = { ok: false, error: errorMessage(error) };
  }
  await runtime.write("stdout", `\n${RESULT_PREFIX}${JSON.stringify(result)}\n`);
  return EXIT_OK;
}

async function readAll(stream: { read(): Promise<Uint8Array | null> }, onTooMuch: () => void): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) {
    size += chunk.length;
    if (size > MAX_OUTPUT_BYTES) {
      onTooMuch();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The manager's side: runs the child, waits for it (bounded: the import limit
 * plus its start-up; SIGKILL after that) and returns the config it printed,
 * checked again. Throws with the child's message when the config is invalid.
 */
export async function rereadInChild(runtime: ProcessInfo & Processes & Output, stateDir: string): Promise<{ companion: CompanionConfig; warnings: string[] }> {
  const child = await runtime.spawn({
    argv: formatSelfCommand(runtime.snapshot(), "reread-config", ["--state-dir", stateDir]),
    cwd: runtime.cwd(),
    env: runtime.env(),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const limitSecs = importTimeoutSecs(runtime) + START_UP_SECS;
  const output = (async () => {
    const text = child.stdout === null ? "" : await readAll(child.stdout, () => child.kill("SIGKILL"));
    return { text, status: await child.exited };
  })();
  const done = await withTimeout(output, limitSecs * 1000, createSystemClock(), () => null);
  if (done === null) {
    child.kill("SIGKILL");
    throw new Error(`the config did not load within ${limitSecs}s (the child process that imports it was killed)`);
  }
  const lines = done.text.split("\n");
  const resultLine = lines.findLast((line) => line.startsWith(RESULT_PREFIX));
  // What the config itself printed goes where it went when the manager imported it.
  const own = lines.filter((line) => line !== "" && !line.startsWith(RESULT_PREFIX));
  if (own.length > 0) await runtime.write("stdout", `${own.join("\n")}\n`);
  if (resultLine === undefined) throw new Error(`the process that loads the config exited without a result (exit code ${done.status.exitCode ?? done.status.signal})`);
  const result = JSON.parse(resultLine.slice(RESULT_PREFIX.length)) as ChildResult;
  if (!result.ok) throw new Error(String(result.error));
  return parseLoadedCompanion({ companion: result.companion, warnings: result.warnings });
}
