/**
 * Leases in Redis: one key per singleton, `gunicorn-companion:{cluster}:{name}`,
 * holding its holder's value, with a fencing counter next to it. Each step is
 * one Lua script, so the check and the change are atomic on the primary:
 * acquire (SET NX PX, INCR of the token), compare-and-extend, compare-and-delete.
 */
import type { RedisLink } from "../../runtime/redis.ts";
import type { AcquireResult, LeaseStore } from "./keeper.ts";

/**
 * Takes a free lease (or one still ours) with a new token; else says who
 * holds it, for how long, with which token. The token is INCR of its counter,
 * but never below the server's clock in milliseconds: it keeps growing even
 * after a Redis restart or failover that lost the counter.
 */
const ACQUIRE = `
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  local token = redis.call('INCR', KEYS[2])
  local time = redis.call('TIME')
  local floor = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
  if token < floor then
    redis.call('SET', KEYS[2], string.format('%d', floor))
    token = floor
  end
  return {1, token}
end
return {0, current, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[2]) or false}`;

/** Extends the lease only if it is still ours. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes the lease only if it is still ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** The key of a singleton's lease. */
export const leaseKey = (cluster: string, name: string) => `gunicorn-companion:${cluster}:${name}`;
/** The key of its fencing counter (only ever incremented). */
export const tokenKey = (cluster: string, name: string) => `${leaseKey(cluster, name)}:token`;

const toNumber = (value: unknown): number | null => {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/** A lease store over a Redis connection. */
export function createRedisLeaseStore(link: RedisLink, cluster: string): LeaseStore {
  const keys = (name: string) => [leaseKey(cluster, name), tokenKey(cluster, name)];
  return {
    async acquire(name, holder, ttlMs): Promise<AcquireResult> {
      const reply = (await link.eval(ACQUIRE, keys(name), [holder, Math.max(1, Math.round(ttlMs))])) as unknown[];
      if (reply[0] === 1) return { acquired: true, token: toNumber(reply[1]) ?? 0 };
      const ttl = toNumber(reply[2]);
      return { acquired: false, holder: typeof reply[1] === "string" ? reply[1] : null, ttlMs: ttl === null || ttl < 0 ? null : ttl, token: toNumber(reply[3]) };
    },
    async renew(name, holder, ttlMs) {
      return (await link.eval(RENEW, [leaseKey(cluster, name)], [holder, Math.max(1, Math.round(ttlMs))])) === 1;
    },
    async release(name, holder) {
      return (await link.eval(RELEASE, [leaseKey(cluster, name)], [holder])) === 1;
    },
    close: () => link.close(),
  };
}
