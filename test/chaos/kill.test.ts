/**
 * Chaos: SIGKILL of the master, the manager, a worker or a companion, at
 * random moments (start-up, steady, reload, shutdown). Afterwards: no orphan,
 * no duplicate companion, no stale socket that blocks the next start, and
 * status matches the processes. 20 rounds per target (5 per moment).
 */
import { test } from "bun:test";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { KILL_MOMENTS, KILL_TARGETS, killRound } from "./kill-round.ts";

const ROUNDS_PER_MOMENT = 5;
const launcher = LAUNCHERS.bun;

for (const target of KILL_TARGETS) {
  for (const moment of KILL_MOMENTS) {
    test.concurrent(
      `SIGKILL of the ${target} during ${moment} (${ROUNDS_PER_MOMENT} rounds)`,
      async () => {
        for (let round = 0; round < ROUNDS_PER_MOMENT; round++) await killRound(launcher, target, moment);
      },
      240_000,
    );
  }
}
