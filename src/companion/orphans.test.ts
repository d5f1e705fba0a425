/**
 * Leftovers are stopped only with proof of identity (docs/security.md,
 * "Pids"): real processes, a real pid registry on disk. A recycled pid is
 * played by a live process group of ours that the record does not describe.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../log.ts";
import { createSystemClock } from "../supervise/clock.ts";
import { getRuntime, type ChildHandle } from "../runtime/index.ts";
import { STATE_MARKER } from "./marked.ts";
import { stopOrphans } from "./orphans.ts";
import { createFilePidRegistry, type PidEntry } from "./pid-registry.ts";
import { hasProcFs, isOwnLeftoverGroup, isSameGroup, readProcessStartTime } from "./proc.ts";

const started: ChildHandle[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of started.splice(0)) child.killGroup("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A live process group leader that is not any companion: `sleep`, in a group of its own. */
async function stranger(env: Record<string, string> = {}): Promise<ChildHandle> {
  const runtime = await getRuntime();
  const child = await runtime.spawn({ argv: ["sleep", "30"], env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env }, stdin: "ignore", stdout: "ignore", stderr: "ignore", processGroup: true });
  started.push(child);
  return child;
}

function registryWith(entry: Omit<PidEntry, "name" | "stop_signal" | "stop_timeout">) {
  const dir = mkdtempSync(join(tmpdir(), "gc-pids-"));
  dirs.push(dir);
  const registry = createFilePidRegistry(dir);
  registry.add({ name: "c", stop_signal: "SIGTERM", stop_timeout: 0.2, ...entry });
  return registry;
}

const alive = (pid: number) => readProcessStartTime(pid) !== null;

test.skipIf(!hasProcFs())("a record without a start time, or with another one, never gets its pid signalled", async () => {
  const runtime = await getRuntime();
  for (const startTime of [null, "1", `${readProcessStartTime(process.pid)}`]) {
    const child = await stranger();
    const registry = registryWith({ pid: child.pid, start_time: startTime });
    expect(await stopOrphans(runtime, registry, silentLogger)).toBe(1);
    // Not signalled: still running, and no exit to report.
    expect({ startTime, alive: alive(child.pid) }).toEqual({ startTime, alive: true });
    expect(await Promise.race([child.exited.then(() => "exited"), new Promise((resolve) => setTimeout(resolve, 50, "running"))])).toBe("running");
    // The record is dropped all the same: it named nothing of ours.
    expect(registry.list()).toEqual([]);
  }
});

test.skipIf(!hasProcFs())("a record whose start time matches is stopped with its stop signal", async () => {
  const runtime = await getRuntime();
  const child = await stranger();
  const registry = registryWith({ pid: child.pid, start_time: readProcessStartTime(child.pid) });
  expect(await stopOrphans(runtime, registry, silentLogger)).toBe(1);
  expect(await child.exited).toMatchObject({ signal: "SIGTERM" });
});

test.skipIf(!hasProcFs())("a companion no record names (its manager died before writing it) is found by its state directory marker", async () => {
  const runtime = await getRuntime();
  const stateDir = mkdtempSync(join(tmpdir(), "gc-state-"));
  dirs.push(stateDir);
  const unrecorded = await stranger({ [STATE_MARKER]: stateDir });
  const otherDir = await stranger({ [STATE_MARKER]: `${stateDir}-other` });
  const unmarked = await stranger();
  const registry = createFilePidRegistry(join(stateDir, "pids"));
  expect(await stopOrphans(runtime, registry, silentLogger, false, createSystemClock(), stateDir)).toBe(1);
  expect(await unrecorded.exited).toMatchObject({ signal: "SIGTERM" });
  expect([alive(otherDir.pid), alive(unmarked.pid)]).toEqual([true, true]);
});

test.skipIf(!hasProcFs())("a group is ours while its leader has the recorded start time or no process holds its pid; a stranger's is not", async () => {
  const child = await stranger();
  const startTime = readProcessStartTime(child.pid);
  expect(isSameGroup(child.pid, startTime)).toBe(true);
  expect(isSameGroup(child.pid, "1")).toBe(false);
  expect(isSameGroup(child.pid, null)).toBe(false);
  // A leftover group of our own child that was reaped: a live process at that pid is someone else's.
  expect(isOwnLeftoverGroup(child.pid, null)).toBe(false);
  expect(isOwnLeftoverGroup(child.pid, "1")).toBe(false);
  child.killGroup("SIGKILL");
  await child.exited;
  expect(isOwnLeftoverGroup(child.pid, null)).toBe(true);
  expect(isSameGroup(child.pid, startTime)).toBe(true);
});
