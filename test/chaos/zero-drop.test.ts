/**
 * Chaos: the zero-drop scenarios of the e2e suite (test/e2e/suites/zero-drop.ts),
 * five rounds each, on the launchers that dropped requests before the workers
 * shared one listening socket (the binary and Deno; docs/behaviour.md, "What
 * was tried against the resets"). Every round: no request of a client that
 * never retries fails, through ten HUPs, max_requests recycling and TTIN/TTOU.
 */
import { test } from "bun:test";
import { LAUNCHERS } from "../helpers/launchers.ts";
import { recyclingUnderLoad, tenHupsUnderLoad } from "../e2e/suites/zero-drop.ts";

const ROUNDS = 5;

for (const launcher of [LAUNCHERS.binary, LAUNCHERS.deno]) {
  test.concurrent(
    `zero drops through ten HUPs, recycling and TTIN/TTOU, ${ROUNDS} rounds (${launcher.name})`,
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        await tenHupsUnderLoad(launcher);
        await recyclingUnderLoad(launcher);
      }
    },
    600_000,
  );
}
