/**
 * bench/soak: the chaos scenarios of test/chaos, longer (not in CI): a crash
 * storm of 60 s, a 100 MB stdout flood, and many SIGKILL rounds at random
 * moments. Prints a table and writes bench/results/soak.md.
 *
 * Usage: bun bench/soak.ts [--storm-secs 60] [--kill-rounds 100]     (after npm run build)
 */
import { LAUNCHERS } from "../test/helpers/launchers.ts";
import { KILL_MOMENTS, KILL_TARGETS, killRound } from "../test/chaos/kill-round.ts";
import { crashStorm, stdoutFlood } from "../test/chaos/storms.ts";
import { machineDetails, report, requireBuild } from "./lib.ts";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const stormSecs = arg("--storm-secs", 60);
const killRounds = arg("--kill-rounds", 100);

requireBuild();
const launcher = LAUNCHERS.binary;
const lines = ["### Soak", "", machineDetails(), "", "| scenario | result |", "| --- | --- |"];

const storm = await crashStorm(launcher, 50, stormSecs);
lines.push(
  `| crash storm: 50 companions exiting every 50 ms for ${stormSecs} s | ${storm.restarts} restarts; manager RSS ${storm.managerRssStartMiB.toFixed(1)} → ${storm.managerRssEndMiB.toFixed(1)} MiB; status p99 ${storm.statusP99Ms.toFixed(1)} ms over ${storm.statusSamples} requests; HTTP ${storm.httpOk} ok, ${storm.httpFailed} failed |`,
);
console.log(lines.at(-1));

const flood = await stdoutFlood(launcher, 100);
lines.push(`| stdout flood: ${flood.floodedMiB.toFixed(0)} MiB | status p99 ${flood.statusP99Ms.toFixed(1)} ms; other companion untouched: ${flood.otherCompanionPidUnchanged} |`);
console.log(lines.at(-1));

let passed = 0;
const failures: string[] = [];
for (let round = 0; round < killRounds; round++) {
  const target = KILL_TARGETS[round % KILL_TARGETS.length] ?? "master";
  const moment = KILL_MOMENTS[Math.floor(round / KILL_TARGETS.length) % KILL_MOMENTS.length] ?? "steady";
  try {
    await killRound(launcher, target, moment);
    passed += 1;
  } catch (error) {
    failures.push(`${target}/${moment}: ${String(error).split("\n")[0]}`);
  }
}
lines.push(`| SIGKILL rounds (master, manager, worker, companion × start-up, steady, reload, shutdown) | ${passed} of ${killRounds} held every invariant${failures.length > 0 ? `; failed: ${failures.join("; ")}` : ""} |`);
report("soak", `${lines.join("\n")}\n`);
