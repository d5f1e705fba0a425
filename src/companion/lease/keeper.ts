/**
 * The leases of singleton companions, one per name, on an injected clock and
 * store (Redis in production, a fake in tests): contend for a lease, renew it
 * every ttl/3, and declare it lost early enough that the companion is gone
 * (SIGKILL included) before it can expire anywhere. docs/multi-host.md has the
 * guarantees this timing gives.
 */
import { errorMessage } from "../../errors.ts";
import type { Clock, TimerHandle } from "../../supervise/clock.ts";
import { withTimeout } from "../../supervise/timeout.ts";

/** What a contender learns from one try. */
export type AcquireResult = { acquired: true; token: number } | { acquired: false; holder: string | null; ttlMs: number | null; token: number | null };

/** Where leases live: the Redis scripts of redis-store.ts, or a fake. */
export interface LeaseStore {
  /** Takes the lease if nobody holds it (or we still do), with a new fencing token. */
  acquire(name: string, holder: string, ttlMs: number): Promise<AcquireResult>;
  /** Extends the lease if we still hold it; false when someone else does. */
  renew(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Deletes the lease if we still hold it. */
  release(name: string, holder: string): Promise<boolean>;
  close(): Promise<void>;
}

/** contend: acquire and renew; keep: renew a lease held while its process stops, take none; release: let it go. */
export type LeaseMode = "contend" | "keep" | "release";

/** What `status` shows of one lease. */
export interface LeaseView {
  holding: boolean;
  /** The holder's value as stored (ours when holding); null when free or unknown. */
  holder: string | null;
  token: number | null;
  /** Epoch ms when the lease expires unless renewed; null when unknown. */
  expiresAt: number | null;
  /** Why the store could not be asked (`redis unreachable: ECONNREFUSED`); null after a good answer. */
  error: string | null;
}

/** The schedule of a lease of `ttlMs`: when to renew, when a holder gives up, when its process must be gone. */
export function leaseTiming(ttlMs: number) {
  return {
    renewEveryMs: ttlMs / 3,
    /** A standby asks again this often (and as the holder's lease runs out): a released lease is taken within a second. */
    pollEveryMs: Math.min(ttlMs / 3, 1000),
    /** A holder not renewed by expiry minus this stops its companion. */
    giveUpBeforeMs: ttlMs / 3,
    /** …and SIGKILLs it at expiry minus this at the latest (clocks may drift by ttl/10). */
    killBeforeMs: ttlMs / 10,
    /** How long one store command may take. */
    commandTimeoutMs: ttlMs / 3,
    /** A failed renewal is tried again after this. */
    retryMs: ttlMs / 10,
  };
}

export interface LeaseKeeperOptions {
  clock: Clock;
  store: LeaseStore;
  /** Our value in the store: `host pid N` and a unique suffix. */
  holder: string;
  ttlMs: number;
  onAcquired(name: string, token: number): void;
  /** The lease is lost: the companion must be gone within `killWithinMs`. */
  onLost(name: string, killWithinMs: number): void;
  /** A view changed (status caches compare a version). */
  onChange(name: string): void;
}

export interface LeaseKeeper {
  set(name: string, mode: LeaseMode): void;
  view(name: string): LeaseView | null;
  /** The token of the lease held for `name`, if any. */
  token(name: string): number | null;
  /** Releases every lease held and closes the store (waiting at most one command timeout). */
  close(): Promise<void>;
}

interface Entry {
  mode: LeaseMode;
  view: LeaseView;
  /** Our lease is valid until this epoch ms (measured from when the command was sent). */
  validUntil: number;
  busy: boolean;
  /** Bumped when a lease is lost or released: answers to older commands are stale. */
  epoch: number;
  next: TimerHandle | null;
  watchdog: TimerHandle | null;
}

/** Creates the keeper; nothing is asked of the store until a name is set to contend. */
export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const { clock, store, holder, ttlMs } = options;
  const timing = leaseTiming(ttlMs);
  const entries = new Map<string, Entry>();
  const pending = new Set<Promise<unknown>>();

  const ask = <T>(work: Promise<T>): Promise<T> => {
    const guarded = withTimeout(work, timing.commandTimeoutMs, clock, () => {
      throw new Error("redis did not answer in time");
    });
    pending.add(guarded);
    void guarded.catch(() => {}).finally(() => pending.delete(guarded));
    return guarded;
  };
  const clear = (entry: Entry, which: "next" | "watchdog") => {
    const handle = entry[which];
    if (handle !== null) clock.clearTimer(handle);
    entry[which] = null;
  };
  const schedule = (name: string, entry: Entry, delayMs: number) => {
    clear(entry, "next");
    entry.next = clock.setTimer(() => {
      entry.next = null;
      step(name, entry);
    }, Math.max(0, delayMs));
  };
  const update = (name: string, entry: Entry, view: Partial<LeaseView>) => {
    entry.view = { ...entry.view, ...view };
    options.onChange(name);
  };
  const failed = (error: unknown) => `redis unreachable: ${errorMessage(error).replace(/^connect /, "")}`;

  function hold(name: string, entry: Entry, sentAt: number): void {
    entry.validUntil = sentAt + ttlMs;
    clear(entry, "watchdog");
    const epoch = entry.epoch;
    entry.watchdog = clock.setTimer(() => {
      entry.watchdog = null;
      if (entry.epoch === epoch && entry.view.holding) lose(name, entry, Math.max(0, entry.validUntil - timing.killBeforeMs - clock.now()));
    }, entry.validUntil - timing.giveUpBeforeMs - clock.now());
    schedule(name, entry, timing.renewEveryMs);
  }

  function lose(name: string, entry: Entry, killWithinMs: number): void {
    entry.epoch += 1;
    clear(entry, "watchdog");
    update(name, entry, { holding: false, holder: null, expiresAt: null });
    options.onLost(name, killWithinMs);
    if (entry.mode === "contend") schedule(name, entry, timing.retryMs);
  }

  function step(name: string, entry: Entry): void {
    if (entry.busy) return;
    const sentAt = clock.now();
    const epoch = entry.epoch;
    if (entry.mode === "release") {
      clear(entry, "next");
      clear(entry, "watchdog");
      if (!entry.view.holding) return;
      entry.epoch += 1;
      update(name, entry, { holding: false, holder: null, token: null, expiresAt: null });
      void ask(store.release(name, holder)).catch(() => {});
      return;
    }
    if (entry.view.holding) {
      entry.busy = true;
      ask(store.renew(name, holder, ttlMs)).then(
        (ours) => {
          entry.busy = false;
          if (entry.epoch !== epoch) return step(name, entry);
          if (!ours) return lose(name, entry, 0);
          update(name, entry, { expiresAt: sentAt + ttlMs, error: null });
          hold(name, entry, sentAt);
          if (entry.mode === "release") step(name, entry);
        },
        (error: unknown) => {
          entry.busy = false;
          if (entry.epoch !== epoch) return step(name, entry);
          update(name, entry, { error: failed(error) });
          schedule(name, entry, timing.retryMs);
        },
      );
      return;
    }
    if (entry.mode !== "contend") return;
    entry.busy = true;
    ask(store.acquire(name, holder, ttlMs)).then(
      (result) => {
        entry.busy = false;
        if (result.acquired && entry.mode !== "contend") {
          // Taken just as it was no longer wanted: give it back.
          void ask(store.release(name, holder)).catch(() => {});
          return;
        }
        if (result.acquired) {
          update(name, entry, { holding: true, holder, token: result.token, expiresAt: sentAt + ttlMs, error: null });
          hold(name, entry, sentAt);
          options.onAcquired(name, result.token);
          return;
        }
        const now = clock.now();
        update(name, entry, { holder: result.holder, token: result.token, expiresAt: result.ttlMs === null ? null : now + result.ttlMs, error: null });
        // Try again as the holder's lease runs out, or sooner (it may be released).
        schedule(name, entry, Math.min(timing.pollEveryMs, Math.max(5, (result.ttlMs ?? timing.pollEveryMs) + 5)));
      },
      (error: unknown) => {
        entry.busy = false;
        update(name, entry, { holder: null, expiresAt: null, error: failed(error) });
        if (entry.mode === "contend") schedule(name, entry, timing.pollEveryMs);
      },
    );
  }

  return {
    set(name, mode) {
      let entry = entries.get(name);
      if (entry === undefined) {
        if (mode !== "contend") return;
        entry = { mode, view: { holding: false, holder: null, token: null, expiresAt: null, error: null }, validUntil: 0, busy: false, epoch: 0, next: null, watchdog: null };
        entries.set(name, entry);
        return step(name, entry);
      }
      if (entry.mode === mode) return;
      entry.mode = mode;
      if (mode === "keep") return;
      clear(entry, "next");
      step(name, entry);
      if (mode === "release" && !entry.busy) entries.delete(name);
    },
    view: (name) => entries.get(name)?.view ?? null,
    token(name) {
      const view = entries.get(name)?.view;
      return view?.holding ? view.token : null;
    },
    async close() {
      for (const [name, entry] of entries) {
        entry.mode = "release";
        clear(entry, "next");
        if (!entry.busy) step(name, entry);
      }
      while (pending.size > 0) await Promise.allSettled([...pending]);
      for (const entry of entries.values()) clear(entry, "watchdog");
      await store.close();
    },
  };
}
