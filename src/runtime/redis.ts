/**
 * The Redis client, behind a small interface: the one module that loads
 * ioredis (which opens its own TCP/TLS sockets, hence its place in runtime/).
 * It is imported dynamically, on the first `connectRedis`, so a program
 * without leases (the ctl, a manager with no singleton) never loads it.
 * ioredis runs the same under Bun, Deno (from node_modules) and Node, and
 * `bun build --compile` bundles it into the binary.
 */

/** A connection that runs Lua scripts. */
export interface RedisLink {
  /** EVAL `script` over `keys` and `args`; rejects while disconnected (with why), or after the command timeout. */
  eval(script: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** Closes the connection (QUIT, then a hard disconnect). */
  close(): Promise<void>;
}

export interface RedisOptions {
  /** A command not answered within this is rejected (a silent partition must not stall a renewal). */
  commandTimeoutMs: number;
  /** Delay between reconnection attempts. */
  reconnectMs: number;
}

/** A short reason from a connection error (`ECONNREFUSED`, `ENOTFOUND redis.internal`, `WRONGPASS …`). */
function reasonOf(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && code !== "") return code;
  return typeof message === "string" ? message : String(error);
}

/** Connects to `url` (`redis://`, `rediss://`, a password in the URL); resolves once connected or once the first try failed (it keeps retrying). */
export async function connectRedis(url: string, options: RedisOptions): Promise<RedisLink> {
  const { Redis } = await import("ioredis");
  let lastError: string | null = null;
  const client = new Redis(url, {
    commandTimeout: Math.max(1, Math.round(options.commandTimeoutMs)),
    connectTimeout: Math.max(1, Math.round(options.commandTimeoutMs)),
    // A command while disconnected fails at once instead of waiting in a queue.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => Math.max(1, Math.round(options.reconnectMs)),
    lazyConnect: false,
  });
  client.on("error", (error: unknown) => {
    lastError = reasonOf(error);
  });
  client.on("ready", () => {
    lastError = null;
  });
  await new Promise<void>((resolve) => {
    const done = () => {
      client.off("ready", done);
      client.off("error", done);
      resolve();
    };
    client.once("ready", done);
    client.once("error", done);
  });
  return {
    async eval(script, keys, args) {
      if (client.status !== "ready") throw new Error(lastError ?? `not connected (${client.status})`);
      try {
        return await client.eval(script, keys.length, ...keys, ...args);
      } catch (error) {
        throw new Error(client.status === "ready" ? reasonOf(error) : (lastError ?? reasonOf(error)));
      }
    },
    async close() {
      try {
        await Promise.race([client.quit(), new Promise((resolve) => setTimeout(resolve, options.commandTimeoutMs))]);
      } catch {
        // closing anyway
      }
      client.disconnect();
    },
  };
}
