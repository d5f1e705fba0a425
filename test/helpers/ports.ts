import { createServer } from "node:net";
import { readFileSync } from "node:fs";

/**
 * The ports the kernel hands out for outgoing connections (and for a listen on
 * port 0). A port picked from there can be taken by any test's client
 * connection before the master binds it, so test ports come from below it.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && low > 0) return [low, high];
  } catch {
    // not Linux: the usual range
  }
  return [32768, 60999];
}

/** Test ports: [20000, start of the ephemeral range), or above it when that is too narrow. */
const [EPHEMERAL_LOW, EPHEMERAL_HIGH] = ephemeralRange();
const [LOW, HIGH] = EPHEMERAL_LOW - 20000 >= 2000 ? [20000, EPHEMERAL_LOW - 1] : [EPHEMERAL_HIGH + 1, 65535];
/** Ports this test process has handed out already (tests run side by side in one process). */
const handedOut = new Set<number>();

/** Whether `port` can be bound on 127.0.0.1 right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port that was free a moment ago, outside the ephemeral range (no client
 * connection takes it meanwhile) and never handed out twice by this process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${LOW}-${HIGH}`);
}
