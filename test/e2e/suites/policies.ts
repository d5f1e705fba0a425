/**
 * Restart policies with real processes (docs/states.md): restart_policy and
 * EXITED, start_retries and FATAL, a target that cannot load is FATAL at once,
 * restart_delay_max doubling the delay, and what brings EXITED and FATAL
 * companions back (start, or a reread that changes their spec).
 */
import { expect } from "bun:test";
import { e2e } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, waitFor, withMaster } from "../../helpers/master.ts";

/** A companion that is up (past startsecs 0.1) and then exits with `code`. */
const exitsAfterUp = (name: string, code: number, extra: Record<string, unknown> = {}) =>
  fixture(name, "crash", { env: { EXIT_CODE: String(code), CRASH_AFTER_MS: "250" }, ...extra });

/**
 * A companion that exits with status 1 20 ms after it is ready, well before its
 * startsecs (1.5 s, so that a slow boot on a loaded machine still counts as early).
 */
const crashesEarly = (name: string, extra: Record<string, unknown> = {}) =>
  fixture(name, "crash", { env: { CRASH_AFTER_MS: "20" }, startsecs: 1.5, ...extra });

export function policyTests(launcher: Launcher): void {
  e2e("restart_policy: on-failure keeps a clean exit down (EXITED) and restarts a crash; never keeps any exit down; start brings it back", async () => {
    const config = {
      ...FAST,
      companion_workers: [
        exitsAfterUp("clean", 0, { restart_policy: "on-failure" }),
        exitsAfterUp("failing", 3, { restart_policy: "on-failure" }),
        exitsAfterUp("once", 3, { restart_policy: "never" }),
      ],
    };
    await withMaster(launcher, { config }, async (run) => {
      const states = await run.waitStates({ clean: "EXITED", once: "EXITED" });
      expect(states.clean).toMatchObject({ last_exit_code: 0, pid: null, next_retry_at: null, restart_count: 0, description: "exited with status 0, not restarted" });
      expect(states.once).toMatchObject({ last_exit_code: 3, restart_count: 0, description: "exited with status 3, not restarted" });
      await waitFor(async () => (await run.statusOf("failing")).restart_count >= 2, "failing restarted twice");
      expect(run.output()).toContain("[companion:once] exited with status 3; not restarted (restart_policy never)");
      // By hand it runs again, and ends EXITED again.
      expect(await run.request({ cmd: "start", name: "once", wait: true })).toMatchObject({ ok: true, state: "RUNNING" });
      await waitFor(async () => {
        const once = await run.statusOf("once");
        return once.state === "EXITED" && once.exit_count === 2;
      }, "once EXITED after its second run");
    });
  });

  e2e("start_retries: FATAL after that many exits before startsecs; a start by hand tries again", async () => {
    const config = { ...FAST, companion_restart_delay: 0.05, companion_workers: [crashesEarly("early", { start_retries: 3 })] };
    await withMaster(launcher, { config }, async (run) => {
      const { early } = await run.waitStates({ early: "FATAL" });
      expect(early).toMatchObject({ exit_count: 3, restart_count: 2, pid: null, next_retry_at: null, last_exit_code: 1 });
      expect(early?.description).toBe("gave up: exited 3 times in a row before startsecs (last: exited with status 1)");
      expect(run.output()).toContain("exited 3 times in a row before startsecs: not retried (start_retries 3)");
      const again = await run.request({ cmd: "start", name: "early", wait: true });
      expect(again).toMatchObject({ ok: false });
      await waitFor(async () => {
        const status = await run.statusOf("early");
        return status.state === "FATAL" && status.exit_count === 6;
      }, "FATAL again after three more tries");
    });
  });

  e2e("restart_delay_max: each early crash doubles the delay, up to the max", async () => {
    // The doubling starts over after a run longer than the max, so the crashing
    // child is a shell (it boots in milliseconds however loaded the machine is:
    // a runtime booting for 0.8 s once under CI load reset the doubling), and
    // the max, 1.6 s, leaves a slow spawn far from that reset.
    const loop = { name: "loop", command: "sleep 0.02; exit 1", startsecs: 1.5, restart_delay: 0.05, restart_delay_max: 1.6 };
    const config = { ...FAST, companion_workers: [loop] };
    await withMaster(launcher, { config }, async (run) => {
      const seen = new Set<number>();
      await waitFor(async () => {
        const status = await run.statusOf("loop");
        if (status.state === "BACKOFF") seen.add(status.restart_delay);
        return status.exit_count >= 7 && seen.has(1.6);
      }, () => `delays seen: ${[...seen].join(", ")}`, 20_000);
      expect([...seen].every((delay) => [0.05, 0.1, 0.2, 0.4, 0.8, 1.6].includes(delay))).toBe(true);
      expect(Math.max(...seen)).toBe(1.6);
    });
  });

  e2e("a reread that changes a FATAL companion's spec starts it; an unchanged one stays FATAL", async () => {
    const broken = fixture("fixme", "nope");
    const config = { ...FAST, companion_workers: [broken, fixture("other", "nope")] };
    await withMaster(launcher, { config }, async (run) => {
      await run.waitStates({ fixme: "FATAL", other: "FATAL" });
      run.writeConfig({ ...config, companion_workers: [fixture("fixme", "run"), fixture("other", "nope")] });
      expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, restarted: ["fixme"], unchanged: ["other"] });
      const states = await run.waitStates({ fixme: "RUNNING", other: "FATAL" });
      expect(states.other?.restart_count).toBe(0);
    });
  });
}
