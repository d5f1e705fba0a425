/**
 * Singleton companions across masters (docs/multi-host.md), with a real
 * redis-server of the test's own: three masters on this machine stand for
 * three hosts. The companions keep their own records (start and exit times,
 * with their fencing token) in one file shared by every master.
 */
import { expect, test } from "bun:test";
import { hostname } from "node:os";
import { e2eWithTool } from "../e2e-test.ts";
import type { Launcher } from "../../helpers/launchers.ts";
import { killAll, startAfter, startCluster, wallNow, type Entry } from "../../helpers/lease-cluster.ts";
import { waitFor, type MasterRun } from "../../helpers/master.ts";

export function leaseTests(launcher: Launcher): void {
  e2eWithTool("redis-server", "singleton: one master of three runs it, the others are STANDBY naming it; SIGKILL of its tree: another takes over within ttl + 0.5 s, with a larger token", async () => {
    const ttl = 1;
    const cluster = await startCluster(launcher, 3, ttl);
    try {
      const h = await cluster.holder();
      const holderRun = cluster.runs[h] as MasterRun;
      for (const [i, run] of cluster.runs.entries()) {
        await run.waitStates({ web: "RUNNING" });
        // A standby learns who holds the lease at its next try (at most ttl/3 away): waited for, not assumed.
        const holder = `${hostname()} pid ${holderRun.managerPid()}`;
        const sched = await waitFor(async () => {
          const status = await run.statusOf("sched");
          return status.lease?.holder === holder ? status : null;
        }, `master ${i} seeing the holder`);
        expect(sched.lease).toMatchObject({ holder });
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
      // The manager started it within ttl + 0.5 s (its runtime's boot, slow on a loaded machine, is the app's).
      expect(taken.began).toBeGreaterThan(killedAt);
      expect(taken.began).toBeLessThanOrEqual(taken.at);
      expect(taken.began - killedAt).toBeLessThanOrEqual(ttl * 1000 + 500);
      expect(taken.token).toBeGreaterThan(before.token);
    } finally {
      cluster.cleanup();
    }
  });

  e2eWithTool("redis-server", "singleton: stop on the holder hands the lease over well before the ttl; stop on a standby stops it waiting; start resumes contending", async () => {
    // The default ttl: a handover that waited for the lease to run out would take 10 s.
    const ttl = 10;
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
      // Its first answer from Redis names the holder.
      const heldBy = `standby, held by ${hostname()} pid ${second.managerPid()}`;
      await waitFor(async () => (await holder.statusOf("sched")).description === heldBy, heldBy);
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
      // The old one had exited before the new one's process even began.
      expect((exited as Entry).at).toBeLessThan(taken.began);
      expect(taken.began).toBeLessThanOrEqual(taken.at);
      expect(taken.began - cutAt).toBeLessThanOrEqual(ttl * 1000 + 500);
      const cut = cluster.runs[h] as MasterRun;
      await waitFor(async () => /^standby, redis unreachable/.test((await cut.statusOf("sched")).description), "the cut-off master says why it waits");
      expect((await cut.statusOf("web")).state).toBe("RUNNING");
      cluster.proxies[h]?.resume();
      await waitFor(async () => (await cut.statusOf("sched")).description.startsWith("standby, held by "), "the healed master names the holder");
    } finally {
      cluster.cleanup();
    }
  });

  e2eWithTool("redis-server", "singleton: Redis (with a password in the URL) down stops only singletons (status says why); back up, the lease is taken again with a larger token", async () => {
    const ttl = 1;
    const cluster = await startCluster(launcher, 1, ttl, { password: "s3cret/pw" });
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

  const tlsTest = "singleton: over rediss:// (TLS) with a password, a master holds the lease and hands it back on stop";
  if (Bun.which("openssl") === null) test.skip(`${tlsTest} (openssl is not installed: apt-get install openssl)`, () => {});
  else
    e2eWithTool("redis-server", tlsTest, async () => {
      const cluster = await startCluster(launcher, 1, 1, { tls: true, password: "s3cret" });
      try {
        expect(cluster.redis.url).toStartWith("rediss://:s3cret@");
        const run = cluster.runs[0] as MasterRun;
        await run.waitStates({ sched: "RUNNING" });
        const started = await cluster.waitRecord((r) => r.what === "start", "the start over TLS");
        expect((await run.statusOf("sched")).lease).toMatchObject({ holder: `${hostname()} pid ${run.managerPid()}`, token: started.token });
        expect(await run.request({ cmd: "stop", name: "sched", wait: true })).toMatchObject({ ok: true, state: "STOPPED" });
        await waitFor(async () => (await run.statusOf("sched")).lease?.holder === null, "the lease released");
      } finally {
        cluster.cleanup();
      }
    });
}
