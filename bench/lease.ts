/**
 * Failover of a singleton companion across three masters (the compiled
 * binary) sharing a lease in a redis-server of the bench's own:
 *
 *   bun bench/lease.ts [--rounds 5] [--ttl 1,2]
 *
 * - SIGKILL: the holder's whole tree (master, manager, companion) is killed;
 * - partition: the holder's link to Redis is silently cut (a pausable TCP
 *   proxy holds back everything both ways);
 * - clean stop: `stop` on the holder, which releases the lease at once (the
 *   others ask every min(ttl/3, 1 s)).
 *
 * Failover is the time from the event until the new holder's companion wrote
 * its start record (an hrtime-based wall clock, in the companion itself), plus
 * startsecs until it counts as RUNNING. Target: ≤ ttl + startsecs + 0.5 s
(a clean stop: well under the ttl). For
 * the partition, the old holder's companion must have exited before the new
 * one started (its own exit record). Needs the binary (npm run build) and
 * redis-server. Writes bench/results/lease.md.
 */
import { LAUNCHERS } from "../test/helpers/launchers.ts";
import { killAll, startAfter, startCluster, wallNow, type Entry } from "../test/helpers/lease-cluster.ts";
import { machineDetails, median, report, requireBuild } from "./lib.ts";

const flag = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const ROUNDS = Number(flag("rounds", "5"));
const TTLS = flag("ttl", "1,2").split(",").map(Number);
/** The companions' startsecs (FAST in test/helpers/master.ts). */
const STARTSECS = 0.1;

type Scenario = "SIGKILL of the holder's tree" | "silent partition of the holder" | "clean stop (ctl stop on the holder)";

/** One failover: ms from the event until the new holder's companion started; for a partition, ms between the old one's exit and the new one's start. */
async function once(ttl: number, scenario: Scenario): Promise<{ startMs: number; gapMs: number | null }> {
  const partition = scenario === "silent partition of the holder";
  const cluster = await startCluster(LAUNCHERS.binary, 3, ttl, { proxies: partition });
  try {
    const h = await cluster.holder();
    await cluster.waitRecord((r) => r.what === "start" && r.tag === `m${h}`, "the holder's start");
    const at = wallNow();
    const holder = cluster.runs[h] as NonNullable<(typeof cluster.runs)[number]>;
    if (partition) cluster.proxies[h]?.pause();
    else if (scenario === "clean stop (ctl stop on the holder)") await holder.request({ cmd: "stop", name: "sched", wait: false });
    else killAll(holder);
    const taken = await startAfter(cluster, at, `m${h}`);
    const exited = cluster.records().find((r: Entry) => r.what === "exit" && r.tag === `m${h}`);
    return { startMs: taken.at - at, gapMs: partition ? (exited === undefined ? Number.NEGATIVE_INFINITY : taken.at - exited.at) : null };
  } finally {
    cluster.cleanup();
  }
}

if (Bun.which("redis-server") === null) throw new Error("redis-server is not installed (apt-get install redis-server)");
requireBuild();
const rows: string[] = [];
for (const ttl of TTLS) {
  for (const scenario of ["SIGKILL of the holder's tree", "silent partition of the holder", "clean stop (ctl stop on the holder)"] as Scenario[]) {
    const results: Array<{ startMs: number; gapMs: number | null }> = [];
    for (let round = 0; round < ROUNDS; round++) results.push(await once(ttl, scenario));
    const failover = results.map((r) => r.startMs / 1000 + STARTSECS);
    const target = ttl + STARTSECS + 0.5;
    const gaps = results.flatMap((r) => (r.gapMs === null ? [] : [r.gapMs]));
    const gap = gaps.length === 0 ? "—" : `${Math.min(...gaps).toFixed(0)} ms`;
    rows.push(
      `| ${ttl} s | ${scenario} | ${median(failover).toFixed(2)} s | ${Math.max(...failover).toFixed(2)} s | ${target.toFixed(1)} s | ${failover.every((f) => f <= target) ? "yes" : "NO"} | ${gap} |`,
    );
    console.log(rows.at(-1));
  }
}

report(
  "lease",
  `# Singleton failover

${machineDetails()}

Three masters (the compiled binary) on this machine, one redis-server,
\`companion_lease_ttl\` as listed, \`startsecs\` ${STARTSECS} s, ${ROUNDS} rounds each.
Failover: from the event until the new holder's companion is RUNNING (its own
start record + startsecs). Overlap margin: for a partition, the least time
between the old holder's companion exiting and the new one starting (negative
would mean both ran at once).

| ttl | event | failover, median | failover, max | target (ttl + startsecs + 0.5 s) | all within | overlap margin |
| --- | --- | ---: | ---: | ---: | --- | ---: |
${rows.join("\n")}

Reproduce: \`npm run build && bun bench/lease.ts --rounds ${ROUNDS} --ttl ${TTLS.join(",")}\`.
`,
);
