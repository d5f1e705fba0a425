/**
 * Three masters on this machine standing for three hosts, sharing singleton
 * leases in a redis-server of their own (docs/multi-host.md); optionally each
 * through a pausable proxy, to cut one off silently. The singleton `sched`
 * keeps its own record of starts and exits (test/fixtures/companions.mjs
 * leaseRecorder) in one file shared by every master. Used by the e2e suite and
 * bench/lease.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Launcher } from "./launchers.ts";
import { FAST, fixture, startMaster, waitFor, type MasterRun } from "./master.ts";
import { killTree } from "./processes.ts";
import { startProxy, startRedis, type PausableProxy, type RedisServer } from "./redis.ts";
import { makeTempDir } from "./temp.ts";

/** One line of the companions' shared record. */
export interface Entry {
  what: "start" | "exit";
  tag: string;
  token: number;
  at: number;
  pid: number;
  /** When the process began (the manager started it), before its runtime booted. */
  began: number;
}

export const wallNow = () => performance.timeOrigin + performance.now();

export interface Cluster {
  redis: RedisServer;
  runs: Array<MasterRun & { cleanup(): void }>;
  proxies: PausableProxy[];
  records(): Entry[];
  /** Waits until a record matches (a companion writes its own a little after it is spawned). */
  waitRecord(match: (entry: Entry) => boolean, what: string): Promise<Entry>;
  /** The index of the master whose `sched` is RUNNING while every other one is STANDBY. */
  holder(except?: number[]): Promise<number>;
  cleanup(): void;
}

/** Redis and `count` masters sharing a singleton `sched` (and a plain `web`), each through its own proxy when asked. */
export async function startCluster(launcher: Launcher, count: number, ttl: number, options: { proxies?: boolean; stopTimeout?: number; password?: string; tls?: boolean } = {}): Promise<Cluster> {
  const tmp = makeTempDir("gcr");
  const log = join(tmp.dir, "lease.log");
  const redis = await startRedis(tmp.dir, options.password ?? null, options.tls ?? false);
  // Every runtime trusts the test's CA through its own variable.
  const env: Record<string, string> = redis.ca === null ? {} : { NODE_EXTRA_CA_CERTS: redis.ca, DENO_CERT: redis.ca };
  const proxies = options.proxies ? await Promise.all(Array.from({ length: count }, () => startProxy(redis.port))) : [];
  const cluster = `c${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const runs: Cluster["runs"] = [];
  const cleanup = () => {
    for (const run of runs) run.cleanup();
    for (const proxy of proxies) proxy.close();
    void redis.kill();
    tmp.cleanup();
  };
  try {
    for (let i = 0; i < count; i++) {
      const url = options.proxies ? `redis://127.0.0.1:${proxies[i]?.port}/0` : redis.url;
      const sched = fixture("sched", "leaseRecorder", { singleton: true, stop_timeout: options.stopTimeout ?? 30, env: { LEASE_LOG: log, LEASE_TAG: `m${i}` } });
      const config = { ...FAST, companion_lease_url: url, companion_cluster: cluster, companion_lease_ttl: ttl, companion_workers: [sched, fixture("web")] };
      runs.push(await startMaster(launcher, { config, env }));
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  const records = (): Entry[] => {
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      return [];
    }
    return text
      .trim()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [what, tag, token, at, pid, began] = line.split(" ");
        return { what: what as Entry["what"], tag: tag ?? "", token: Number(token), at: Number(at), pid: Number(pid), began: Number(began) };
      });
  };
  let last: unknown[] = [];
  const holder = async (except: number[] = []) => {
    const found = await waitFor(
      async () => {
        const statuses = await Promise.all(runs.map((run, i) => (except.includes(i) ? null : run.statusOf("sched").catch((error: unknown) => String(error)))));
        last = statuses;
        const states = statuses.map((s) => (s === null || typeof s === "string" ? null : s.state));
        const running = states.flatMap((state, i) => (state === "RUNNING" ? [i] : []));
        const others = states.filter((state, i) => state !== null && i !== running[0]);
        return running.length === 1 && others.every((state) => state === "STANDBY" || state === "STOPPED") ? { index: running[0] as number } : null;
      },
      () => `one holder of sched; last: ${JSON.stringify(last)}; master logs:\n${runs.map((run) => run.output()).join("\n---\n")}`,
      20_000,
    );
    return found.index;
  };
  const waitRecord = (match: (entry: Entry) => boolean, what: string) => waitFor(() => records().find(match), () => `${what}; records: ${JSON.stringify(records())}`);
  return { redis, runs, proxies, records, waitRecord, holder, cleanup };
}

/** Kills a master's whole tree at once (master, manager, companions). */
export function killAll(run: MasterRun): void {
  const manager = run.managerPid();
  killTree([run.pid, ...(manager === null ? [] : [manager]), ...run.fixturePids().map((p) => p.pid)]);
}

/** The first `start` record after `since` by another master than `tag`. */
export const startAfter = (cluster: Cluster, since: number, tag: string) =>
  cluster.waitRecord((r) => r.what === "start" && r.at > since && r.tag !== tag, `a start after ${since} not by ${tag}`);
