/**
 * Chaos: 50 companions crashing every 50 ms for 10 s (the manager's memory
 * stays flat, status answers within 50 ms at p99, the web tier is unaffected),
 * and a companion flooding 100 MB of stdout (nothing stalls).
 */
import { expect, test } from "bun:test";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { crashStorm, stdoutFlood } from "./storms.ts";

test("crash storm: 50 companions exiting every 50 ms for 10 s", async () => {
  const result = await crashStorm(LAUNCHERS.binary, 50, 10);
  console.log(`crash storm: ${JSON.stringify(result)}`);
  expect(result.restarts).toBeGreaterThan(100);
  expect(result.httpFailed).toBe(0);
  expect(result.httpOk).toBeGreaterThan(50);
  expect(result.statusSamples).toBeGreaterThan(20);
  expect(result.statusP99Ms).toBeLessThan(50);
  // Flat: what the manager holds does not grow with the number of restarts.
  expect(result.managerRssEndMiB).toBeLessThan(result.managerRssStartMiB * 1.3 + 5);
}, 120_000);

test("a companion flooding 100 MB of stdout stalls neither the manager nor the others", async () => {
  const result = await stdoutFlood(LAUNCHERS.binary, 100);
  console.log(`stdout flood: ${JSON.stringify(result)}`);
  expect(result.floodedMiB).toBeGreaterThanOrEqual(100);
  expect(result.otherCompanionPidUnchanged).toBe(true);
  expect(result.statusSamples).toBeGreaterThan(5);
  expect(result.statusP99Ms).toBeLessThan(50);
}, 180_000);
