/**
 * Singleton companions across masters (docs/multi-host.md), with a real
 * redis-server of the test's own: three masters on this machine stand for
 * three hosts. The companions keep their own records (start and exit times,
 * with their fencing token) in one file shared by every master.
 */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { e2eWithTool } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { FAST, fixture, startMaster, waitFor, type MasterRun } from "../../helpers/master.ts";
import { killTree } from "../../helpers/processes.ts";
import { startProxy, startRedis, type PausableProxy, type RedisServer } from "../../helpers/redis.ts";
import { makeTempDir } from "../../helpers/temp.ts";

/** One line of the companions' shared record. */
interface Entry {
  what: "start" | "exit";
  tag: string;
  token: number;
  at: number;
  pid: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

interface Cluster {
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
async function startCluster(launcher: Launcher, count: number, ttl: number, options: { proxies?: boolean; stopTimeout?: number } = {}): Promise<Cluster> {
  const tmp = makeTempDir("gcr");
  const log = join(tmp.dir, "lease.log");
  const redis = await startRedis(tmp.dir);
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
      runs.push(await startMaster(launcher, { config }));
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
        const [what, tag, token, at, pid] = line.split(" ");
        return { what: what as Entry["what"], tag: tag ?? "", token: Number(token), at: Number(at), pid: Number(pid) };
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
function killAll(run: MasterRun): void {
  const manager = run.managerPid();
  killTree([run.pid, ...(manager === null ? [] : [manager]), ...run.fixturePids().map((p) => p.pid)]);
}

/** The first `start` record after `since` by another master than `tag`. */
const startAfter = (cluster: Cluster, since: number, tag: string) =>
  cluster.waitRecord((r) => r.what === "start" && r.at > since && r.tag !== tag, `a start after ${since} not by ${tag}`);

export function leaseTests(launcher: Launcher): void {
  e2eWithTool("redis-server", "singleton: one master of three runs it, the others are STANDBY naming it; SIGKILL of its tree: another takes over within ttl + 0.5 s, with a larger token", async () => {
    const ttl = 1;
    const cluster = await startCluster(launcher, 3, ttl);
    try {
      const h = await cluster.holder();
      const holderRun = cluster.runs[h] as MasterRun;
      for (const [i, run] of cluster.runs.entries()) {
        await run.waitStates({ web: "RUNNING" });
        const sched = await run.statusOf("sched");
        expect(sched.lease).toMatchObject({ holder: `${hostname()} pid ${holderRun.managerPid()}` });
        expect(sched.lease?.expires_in ?? 99).toBeLessThanOrEqual(ttl);
        if (i !== h) expect(sched.description).toBe(`standby, held by ${hostname()} pid ${holderRun.managerPid()}`);
      }
      const standby = cluster.runs[(h + 1) % 3] as MasterRun;
      const cli = await standby.cli(["-s", standby.socket, "status", "sched"]);
      expect(cli.stdout).toMatch(/^sched\s+STANDBY\s+standby, held by /);
      // STANDBY is healthy: another master runs it.
      expect(cli.code).toBe(0);
      const before = await cluster.waitRecord((r) => r.what === "start" && r.tag === `m${h}`, "the holder's start");
      const killedAt = wallNow();
      killAll(holderRun);
      const next = await cluster.holder([h]);
      const taken = await startAfter(cluster, killedAt, `m${h}`);
      expect(taken.tag).toBe(`m${next}`);
      expect(taken.at - killedAt).toBeLessThanOrEqual(ttl * 1000 + 500);
      expect(taken.token).toBeGreaterThan(before.token);
    } finally {
      cluster.cleanup();
    }
  });

  e2eWithTool("redis-server", "singleton: stop on the holder hands the lease over well before the ttl; stop on a standby stops it waiting; start resumes contending", async () => {
    const ttl = 4;
    const cluster = await startCluster(launcher, 3, ttl);
    try {
      const h = await cluster.holder();
      const [s1, s2] = [(h + 1) % 3, (h + 2) % 3];
      const [holder, first, second] = [cluster.runs[h], cluster.runs[s1], cluster.runs[s2]] as [MasterRun, MasterRun, MasterRun];
      expect(await first.request({ cmd: "stop", name: "sched", wait: true })).toMatchObject({ ok: true, state: "STOPPED" });
      const stoppedAt = wallNow();
      expect(await holder.request({ cmd: "stop", name: "sched", wait: true })).toMatchObject({ ok: true, state: "STOPPED" });
      await second.waitStates({ sched: "RUNNING" });
      const taken = await startAfter(cluster, stoppedAt, `m${h}`);
      expect(taken.tag).toBe(`m${s2}`);
      expect(taken.at - stoppedAt).toBeLessThan((ttl * 1000) / 2);
      expect((await first.statusOf("sched")).description).toBe("stopped manually");
      expect(await holder.request({ cmd: "start", name: "sched", wait: true })).toMatchObject({ ok: true, state: "STANDBY", message: "standby, waiting for the lease" });
      const waiting = await holder.statusOf("sched");
      expect(waiting.description).toBe(`standby, held by ${hostname()} pid ${second.managerPid()}`);
      // A clean stop of the holder's master hands over too, at once.
      second.signal("SIGTERM");
      await holder.waitStates({ sched: "RUNNING" });
      const exited = await cluster.waitRecord((r) => r.what === "exit" && r.tag === `m${s2}`, "the second holder's exit");
      const again = await startAfter(cluster, exited.at, `m${s2}`);
      expect(again.tag).toBe(`m${h}`);
      expect(again.at - exited.at).toBeLessThan((ttl * 1000) / 2);
      expect(again.token).toBeGreaterThan(taken.token);
    } finally {
      cluster.cleanup();
    }
  });

  e2eWithTool("redis-server", "singleton: a holder cut off from Redis without a word has its companion exit before another master's starts", async () => {
    const ttl = 1;
    const cluster = await startCluster(launcher, 3, ttl, { proxies: true });
    try {
      const h = await cluster.holder();
      const cutAt = wallNow();
      cluster.proxies[h]?.pause();
      const next = await cluster.holder([h]);
      const taken = await startAfter(cluster, cutAt, `m${h}`);
      const exited = cluster.records().find((r) => r.what === "exit" && r.tag === `m${h}`);
      expect(taken.tag).toBe(`m${next}`);
      expect(exited).toBeDefined();
      expect((exited as Entry).at).toBeLessThan(taken.at);
      expect(taken.at - cutAt).toBeLessThanOrEqual(ttl * 1000 + 500);
      const cut = cluster.runs[h] as MasterRun;
      await waitFor(async () => /^standby, redis unreachable/.test((await cut.statusOf("sched")).description), "the cut-off master says why it waits");
      expect((await cut.statusOf("web")).state).toBe("RUNNING");
      cluster.proxies[h]?.resume();
      await waitFor(async () => (await cut.statusOf("sched")).description.startsWith("standby, held by "), "the healed master names the holder");
    } finally {
      cluster.cleanup();
    }
  });

  e2eWithTool("redis-server", "singleton: Redis down stops only singletons (status says why); back up, the lease is taken again with a larger token", async () => {
    const ttl = 1;
    const cluster = await startCluster(launcher, 1, ttl);
    try {
      const run = cluster.runs[0] as MasterRun;
      await run.waitStates({ sched: "RUNNING", web: "RUNNING" });
      const webPid = (await run.statusOf("web")).pid;
      const first = await cluster.waitRecord((r) => r.what === "start", "the first start");
      await cluster.redis.kill();
      await waitFor(async () => (await run.statusOf("sched")).description === "standby, redis unreachable: ECONNREFUSED", "sched waits for Redis", 10_000);
      expect(cluster.records().some((r) => r.what === "exit" && r.pid === first.pid)).toBe(true);
      expect(await run.statusOf("web")).toMatchObject({ state: "RUNNING", pid: webPid });
      await cluster.redis.start();
      const second = await cluster.waitRecord((r) => r.what === "start" && r.pid !== first.pid, "a start after Redis is back");
      // The restarted Redis has lost the counter: the token still grows (docs/multi-host.md).
      expect(second.token).toBeGreaterThan(first.token);
    } finally {
      cluster.cleanup();
    }
  });
}
