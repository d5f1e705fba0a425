// Where Redis is: $REDIS_URL, or the default local one.
import { Redis } from "ioredis";

/** The queue every part of the example shares. */
export const QUEUE = "jobs";

/** A Redis connection for BullMQ (workers need maxRetriesPerRequest: null, BullMQ's rule). */
export function connect(): Redis {
  return new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
}
