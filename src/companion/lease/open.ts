/**
 * The leases of a manager whose config sets companion_lease_url: a Redis
 * connection (ioredis is loaded here, on first use, and nowhere else) and the
 * keeper over it. A manager without leases never calls this.
 */
import { randomUUID } from "node:crypto";
import type { LeaseConfig } from "../../config/resolve.ts";
import { connectRedis } from "../../runtime/redis.ts";
import type { Clock } from "../../supervise/clock.ts";
import { createLeaseKeeper, leaseTiming, type LeaseKeeper, type LeaseKeeperOptions } from "./keeper.ts";
import { createRedisLeaseStore } from "./redis-store.ts";
import { holderValue } from "./singletons.ts";

/** Who we are in the store. */
export interface LeaseIdentity {
  host: string;
  pid: number;
  launchId: number;
}

/** Connects to the lease store and returns a keeper; the connection retries in the background when Redis is down. */
export async function openLeases(
  config: LeaseConfig,
  identity: LeaseIdentity,
  clock: Clock,
  hooks: Pick<LeaseKeeperOptions, "onAcquired" | "onLost" | "onChange">,
): Promise<LeaseKeeper> {
  const ttlMs = config.ttl * 1000;
  const timing = leaseTiming(ttlMs);
  const link = await connectRedis(config.url, { commandTimeoutMs: timing.commandTimeoutMs, reconnectMs: timing.retryMs });
  return createLeaseKeeper({
    clock,
    store: createRedisLeaseStore(link, config.cluster),
    holder: holderValue(identity.host, identity.pid, identity.launchId, randomUUID().slice(0, 8)),
    ttlMs,
    ...hooks,
  });
}
