/**
 * Command companions and numprocs with real processes: an argv (no shell) and
 * a shell string, cwd/env/{instance}/stdout files, the stop signal and
 * SIGKILL, the process group, a program that is not there, members
 * `w:0 …` and a reread that starts or stops only the difference, and the
 * old command companions of a SIGKILLed manager stopped before new ones start.
 */
import { describe, expect } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, isAlive, waitFor, withMaster, type MasterRun } from "../../helpers/master.ts";
import { e2e } from "../e2e-test.ts";

/**
 * A tiny program: says who it is (READY name pid instance slot cwd), starts a
 * background grandchild in its process group (its pid in NAME.kid; its output
 * to /dev/null, so the program's pipe ends when the program exits), and
 * waits. A non-interactive shell's background job ignores SIGINT, so only the
 * group's SIGKILL can end the grandchild after a stop by INT.
 */
const PROGRAM = `
trap 'seq 1 2000; echo "GOT-INT $GUNICORN_COMPANION_NAME"; exit 0' INT
echo "READY $GUNICORN_COMPANION_NAME $$ inst=$GUNICORN_COMPANION_INSTANCE slot=$SLOT cwd=$(pwd)"
sleep 60 >/dev/null &
echo $! > "$FIXTURE_DIR/$GUNICORN_COMPANION_NAME.kid"
while :; do sleep 0.05; done
`;
const files = { "prog.sh": PROGRAM, "work/.keep": "" };

const readText = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
const kidOf = (run: MasterRun, name: string) =>
  waitFor(() => Number(readText(join(run.dir, `${name}.kid`)).trim()) || null, `the grandchild of ${name}`);
const pidsOf = (states: Record<string, { pid: number | null } | undefined>, names: string[]) => names.map((name) => states[name]?.pid ?? null);

export function programTests(launcher: Launcher): void {
  describe("programs", () => {
    e2e("an argv runs without a shell (sh found on the companion's PATH) with cwd, env and {instance}; a string runs under sh -c", async () => {
      const config = {
        ...FAST,
        companion_workers: [
          { name: "argv", command: ["sh", "../prog.sh"], cwd: "work", env: { SLOT: "s{instance}" }, stdout: "argv.log" },
          { name: "shell", command: "echo one two | tr o O && echo \"$SLOT\" && exec sleep 60", env: { SLOT: "x{instance}" }, stdout: "shell.log", stderr: "stdout" },
        ],
      };
      await withMaster(launcher, { config, files }, async (run) => {
        const states = await run.waitStates({ argv: "RUNNING", shell: "RUNNING" });
        const log = join(run.dir, "work/argv.log");
        await waitFor(() => readText(log).includes("READY"), "argv.log");
        expect(readText(log)).toBe(`READY argv ${states.argv?.pid} inst=0 slot=s0 cwd=${join(run.dir, "work")}\n`);
        await waitFor(() => readText(join(run.dir, "shell.log")) === "One twO\nx0\n", () => `shell.log: ${readText(join(run.dir, "shell.log"))}`);
      });
    });

    e2e("stop_signal is honoured, SIGKILL follows stop_timeout, and the process group goes too", async () => {
      const config = {
        ...FAST,
        companion_workers: [
          { name: "polite", command: ["sh", "prog.sh"], stop_signal: "INT", stop_timeout: 0.5, stdout: "polite.log" },
          { name: "stubborn", command: "trap '' TERM; echo READY; while :; do sleep 0.05; done", stop_timeout: 0.5 },
        ],
      };
      await withMaster(launcher, { config, files }, async (run) => {
        const states = await run.waitStates({ polite: "RUNNING", stubborn: "RUNNING" });
        const kid = await kidOf(run, "polite");
        await waitFor(() => readText(join(run.dir, "polite.log")).includes("READY"), "polite READY");
        expect(await run.request({ cmd: "stop", name: "polite", wait: true })).toMatchObject({ ok: true, state: "STOPPED" });
        // The exit counts once the pipe ended and its last line is in the file.
        expect(readText(join(run.dir, "polite.log"))).toContain("GOT-INT polite");
        expect(await run.statusOf("polite")).toMatchObject({ last_exit_code: 0, kill_count: 0 });
        // The grandchild ignores INT: the leftover group gets SIGKILL after stop_timeout.
        await waitFor(() => !isAlive(kid), "the grandchild to go", 3000);
        expect(isAlive(states.polite?.pid ?? 0)).toBe(false);
        await run.waitOutput("READY");
        expect(await run.request({ cmd: "stop", name: "stubborn", wait: true })).toMatchObject({ ok: true, state: "STOPPED" });
        expect(await run.statusOf("stubborn")).toMatchObject({ kill_count: 1, last_exit_signal: "SIGKILL" });
      });
    });

    e2e("a program that is not found is a spawn failure naming it", async () => {
      const config = { ...FAST, companion_workers: [{ name: "missing", command: ["no-such-program-gc", "x"] }] };
      await withMaster(launcher, { config }, async (run) => {
        let last: unknown = null;
        const found = await waitFor(async () => {
          const status = await run.statusOf("missing").catch(() => null);
          last = status;
          return status?.description.includes("no-such-program-gc") ? status : null;
        }, () => `status: ${JSON.stringify(last)}`);
        expect(found.description).toContain("not found on PATH");
        expect(found.pid).toBeNull();
      });
    });

    e2e("numprocs 3 runs w:0..2 with their own pids and INSTANCE; a reread to 5, then 2, starts or stops only the difference", async () => {
      const spec = (numprocs: number) => ({ name: "w", command: ["sh", "prog.sh"], env: { SLOT: "s{instance}" }, numprocs, stop_signal: "INT", stop_timeout: 0.5 });
      await withMaster(launcher, { config: { ...FAST, companion_workers: [spec(3)] }, files }, async (run) => {
        const three = ["w:0", "w:1", "w:2"];
        const first = await run.waitStates(Object.fromEntries(three.map((n) => [n, "RUNNING"])));
        const pids = pidsOf(first, three);
        expect(new Set(pids).size).toBe(3);
        for (const [i, name] of three.entries()) await run.waitOutput(`READY ${name} ${pids[i]} inst=${i} slot=s${i} `);

        run.writeConfig({ ...FAST, companion_workers: [spec(5)] });
        expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, added: ["w:3", "w:4"], removed: [], restarted: [], unchanged: three });
        const five = await run.waitStates({ "w:0": "RUNNING", "w:1": "RUNNING", "w:2": "RUNNING", "w:3": "RUNNING", "w:4": "RUNNING" });
        expect(pidsOf(five, three)).toEqual(pids);

        const removedPids = pidsOf(five, ["w:2", "w:3", "w:4"]);
        run.writeConfig({ ...FAST, companion_workers: [spec(2)] });
        expect(await run.request({ cmd: "reread" })).toMatchObject({ ok: true, added: [], removed: ["w:2", "w:3", "w:4"], restarted: [], unchanged: ["w:0", "w:1"] });
        await waitFor(async () => (await run.status()).length === 2, "the removed members to go");
        const two = await run.waitStates({ "w:0": "RUNNING", "w:1": "RUNNING" });
        expect(pidsOf(two, ["w:0", "w:1"])).toEqual(pids.slice(0, 2));
        await waitFor(() => removedPids.every((pid) => !isAlive(pid ?? 0)), "the removed members' processes to exit", 3000);
      });
    });

    e2e("SIGKILL of the manager: the next manager stops the old command companions and their groups before starting new ones", async () => {
      const config = { ...FAST, companion_workers: [{ name: "g", command: ["sh", "prog.sh"], numprocs: 2, stop_signal: "INT", stop_timeout: 0.5 }] };
      await withMaster(launcher, { config, files }, async (run) => {
        const before = await run.waitStates({ "g:0": "RUNNING", "g:1": "RUNNING" });
        const kids = [await kidOf(run, "g:0"), await kidOf(run, "g:1")];
        const manager = run.managerPid();
        process.kill(manager ?? 0, "SIGKILL");
        const after = await waitFor(async () => {
          const states = await run.status().catch(() => []);
          const fresh = states.filter((c) => c.state === "RUNNING" && c.pid !== before[c.name]?.pid);
          return fresh.length === 2 ? states : null;
        }, "both members under a new manager", 15_000);
        expect(run.managerPid()).not.toBe(manager);
        for (const old of [...pidsOf(before, ["g:0", "g:1"]), ...kids]) expect(isAlive(old ?? 0)).toBe(false);
        expect(after.map((c) => c.pid)).not.toContain(before["g:0"]?.pid ?? -1);
      });
    });
  });
}
