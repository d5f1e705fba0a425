/**
 * The end-to-end suite: one set of tests, run once per launcher (bun, deno,
 * node, the compiled binary) by the small files beside this one.
 */
import { afterAll, describe, test } from "bun:test";
import { cleanupAllRuns } from "../helpers/master.ts";
import type { Launcher } from "../helpers/launchers.ts";
import { commandTests } from "./suites/commands.ts";
import { crashTests } from "./suites/crash.ts";
import { envFileTests } from "./suites/envfiles.ts";
import { httpTests } from "./suites/http.ts";
import { leaseTests } from "./suites/lease.ts";
import { lifecycleTests } from "./suites/lifecycle.ts";
import { metricsTests } from "./suites/metrics.ts";
import { logTests } from "./suites/logs.ts";
import { operateTests } from "./suites/operate.ts";
import { policyTests } from "./suites/policies.ts";
import { programTests } from "./suites/programs.ts";
import { rereadTests } from "./suites/reread.ts";
import { socketTests } from "./suites/socket.ts";
import { zeroDropTests } from "./suites/zero-drop.ts";

/** Registers the whole suite for one launcher (skipped, with the reason, when it cannot run here). */
export function defineE2ESuite(launcher: Launcher): void {
  describe(`e2e (${launcher.name})`, () => {
    afterAll(cleanupAllRuns);
    if (launcher.unavailable !== null) {
      test.skip(`${launcher.name}: ${launcher.unavailable}`, () => {});
      return;
    }
    commandTests(launcher);
    operateTests(launcher);
    rereadTests(launcher);
    socketTests(launcher);
    lifecycleTests(launcher);
    httpTests(launcher);
    zeroDropTests(launcher);
    policyTests(launcher);
    programTests(launcher);
    envFileTests(launcher);
    metricsTests(launcher);
    logTests(launcher);
    leaseTests(launcher);
    crashTests(launcher);
  });
}
