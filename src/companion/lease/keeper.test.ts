/** The lease keeper on a fake clock and an in-memory store with Redis's semantics (docs/multi-host.md). */
import { describe, expect, test } from "bun:test";
import { createFakeClock, type FakeClock } from "../../supervise/clock.ts";
import { createLeaseKeeper, leaseTiming, type LeaseKeeper, type LeaseStore } from "./keeper.ts";

const TTL = 900;

/** One Redis primary in memory: keys expire on the fake clock; `mode` makes it refuse or never answer. */
function memoryStore(clock: FakeClock) {
  const keys = new Map<string, { value: string; expiresAt: number }>();
  const tokens = new Map<string, number>();
  const state = { mode: "up" as "up" | "down" | "silent", calls: 0 };
  const live = (name: string) => {
    const entry = keys.get(name);
    if (entry !== undefined && entry.expiresAt <= clock.now()) keys.delete(name);
    return keys.get(name);
  };
  const answer = <T>(work: () => T): Promise<T> => {
    state.calls += 1;
    if (state.mode === "down") return Promise.reject(new Error("ECONNREFUSED"));
    if (state.mode === "silent") return new Promise(() => {});
    return Promise.resolve(work());
  };
  const store: LeaseStore = {
    acquire: (name, holder, ttlMs) =>
      answer(() => {
        const entry = live(name);
        if (entry === undefined || entry.value === holder) {
          keys.set(name, { value: holder, expiresAt: clock.now() + ttlMs });
          const token = (tokens.get(name) ?? 0) + 1;
          tokens.set(name, token);
          return { acquired: true as const, token };
        }
        return { acquired: false as const, holder: entry.value, ttlMs: entry.expiresAt - clock.now(), token: tokens.get(name) ?? null };
      }),
    renew: (name, holder, ttlMs) =>
      answer(() => {
        const entry = live(name);
        if (entry?.value !== holder) return false;
        entry.expiresAt = clock.now() + ttlMs;
        return true;
      }),
    release: (name, holder) =>
      answer(() => {
        if (live(name)?.value !== holder) return false;
        keys.delete(name);
        return true;
      }),
    close: async () => {},
  };
  return { store, state, holderOf: (name: string) => live(name)?.value ?? null };
}

/** Lets the store's promises settle. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** Moves the clock in small steps, letting answers arrive between timers. */
async function run(clock: FakeClock, ms: number, stepMs = 10) {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(Math.min(stepMs, ms - t));
    await settle();
  }
}

function keeperFor(clock: FakeClock, store: LeaseStore, holder: string) {
  const log: string[] = [];
  const lost: Array<{ at: number; killWithinMs: number }> = [];
  const keeper: LeaseKeeper = createLeaseKeeper({
    clock,
    store,
    holder,
    ttlMs: TTL,
    onAcquired: (name, token) => log.push(`acquired ${name} ${token}`),
    onLost: (_name, killWithinMs) => lost.push({ at: clock.now(), killWithinMs }),
    onChange: () => {},
  });
  return { keeper, log, lost };
}

describe("lease keeper", () => {
  test("acquires a free lease with a token and keeps it by renewing every ttl/3", async () => {
    const clock = createFakeClock();
    const redis = memoryStore(clock);
    const a = keeperFor(clock, redis.store, "a");
    a.keeper.set("sched", "contend");
    await settle();
    expect(a.log).toEqual(["acquired sched 1"]);
    expect(a.keeper.token("sched")).toBe(1);
    await run(clock, TTL * 5);
    expect(redis.holderOf("sched")).toBe("a");
    expect(a.lost).toEqual([]);
    expect(redis.state.calls).toBeGreaterThanOrEqual(15);
  });

  test("a holder whose renewals go unanswered gives up, and asks for SIGKILL before the lease can expire", async () => {
    const clock = createFakeClock();
    const redis = memoryStore(clock);
    const a = keeperFor(clock, redis.store, "a");
    a.keeper.set("sched", "contend");
    await settle();
    const acquiredAt = clock.now();
    redis.state.mode = "silent";
    await run(clock, TTL * 2);
    const timing = leaseTiming(TTL);
    expect(a.lost.length).toBe(1);
    const { at, killWithinMs } = a.lost[0] as { at: number; killWithinMs: number };
    // The last renewal that succeeded was the acquisition: the lease runs out at acquiredAt + ttl.
    expect(at + killWithinMs).toBeLessThanOrEqual(acquiredAt + TTL - timing.killBeforeMs);
    expect(at).toBeGreaterThanOrEqual(acquiredAt + TTL - timing.giveUpBeforeMs - 10);
    expect(a.keeper.view("sched")?.holding).toBe(false);
  });

  test("a holder that Redis refuses gives up by the same deadline, and says why", async () => {
    const clock = createFakeClock();
    const redis = memoryStore(clock);
    const a = keeperFor(clock, redis.store, "a");
    a.keeper.set("sched", "contend");
    await run(clock, TTL);
    redis.state.mode = "down";
    const downAt = clock.now();
    await run(clock, TTL);
    expect(a.lost.length).toBe(1);
    const { at, killWithinMs } = a.lost[0] as { at: number; killWithinMs: number };
    expect(at + killWithinMs).toBeLessThan(downAt + TTL);
    expect(a.keeper.view("sched")?.error).toBe("redis unreachable: ECONNREFUSED");
  });

  test("a standby names the holder and takes over once the holder's lease expires, with a larger token", async () => {
    const clock = createFakeClock();
    const redis = memoryStore(clock);
    // a's host can go away without a word: from then on nothing it sends arrives.
    let aGone = false;
    const cut = <A extends unknown[], T>(call: (...args: A) => Promise<T>) => (...args: A) => (aGone ? new Promise<T>(() => {}) : call(...args));
    const aStore: LeaseStore = { acquire: cut(redis.store.acquire), renew: cut(redis.store.renew), release: cut(redis.store.release), close: redis.store.close };
    const a = keeperFor(clock, aStore, "a");
    const b = keeperFor(clock, redis.store, "b");
    a.keeper.set("sched", "contend");
    await settle();
    b.keeper.set("sched", "contend");
    await run(clock, TTL);
    expect(b.keeper.view("sched")).toMatchObject({ holding: false, holder: "a", token: 1 });
    aGone = true;
    const goneAt = clock.now();
    await run(clock, TTL * 2);
    // a stopped its companion before b could start one.
    const aLost = a.lost[0] as { at: number; killWithinMs: number };
    expect(aLost.at + aLost.killWithinMs).toBeLessThan(goneAt + TTL);
    expect(b.log).toEqual(["acquired sched 2"]);
  });

  test("release hands the lease over at once; a holder whose lease was taken is told to stop now", async () => {
    const clock = createFakeClock();
    const redis = memoryStore(clock);
    const a = keeperFor(clock, redis.store, "a");
    const b = keeperFor(clock, redis.store, "b");
    a.keeper.set("sched", "contend");
    await settle();
    b.keeper.set("sched", "contend");
    await settle();
    a.keeper.set("sched", "release");
    await settle();
    expect(redis.holderOf("sched")).toBe(null);
    await run(clock, leaseTiming(TTL).renewEveryMs + 20);
    expect(b.log).toEqual(["acquired sched 2"]);
    // b's key is overwritten behind its back (a Redis failover that lost it, and another host took it).
    await redis.store.release("sched", "b");
    await redis.store.acquire("sched", "c", TTL);
    await run(clock, leaseTiming(TTL).renewEveryMs + 20);
    expect(b.lost.map((l) => l.killWithinMs)).toEqual([0]);
  });
});
