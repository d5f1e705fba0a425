/**
 * The manager's metrics endpoint (`companion_metrics_bind`): Prometheus text
 * at GET /metrics, 404 elsewhere, built fresh on each scrape from the
 * companion records and one pass over /proc. See docs/metrics.md.
 */
import { metricFamilies } from "../companion/metrics.ts";
import { createUsageReader } from "../companion/process-usage.ts";
import { EXPOSITION_CONTENT_TYPE, formatExposition } from "../companion/prometheus.ts";
import type { CompanionSupervisor } from "../companion/supervisor.ts";
import { formatBind, parseBind } from "../config/bind.ts";
import { errorMessage, FatalError } from "../errors.ts";
import type { Http, HttpServer, ProcTable } from "../runtime/index.ts";
import type { Clock } from "../supervise/clock.ts";

/** Why a bind failed, the same words on every runtime. */
export function bindFailureReason(error: unknown): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  const message = errorMessage(error);
  if (code === "EADDRINUSE" || name === "AddrInUse" || /in use/i.test(message)) return "address already in use";
  if (code === "EACCES" || name === "PermissionDenied") return "permission denied";
  if (code === "EADDRNOTAVAIL" || name === "AddrNotAvailable") return "address not available on this host";
  return message;
}

/** The text of one scrape. */
export function createMetricsSource(companions: Pick<CompanionSupervisor, "status">, proc: ProcTable, clock: Pick<Clock, "now">): () => string {
  const usage = createUsageReader(proc);
  return () => {
    const outcome = companions.status();
    const records = outcome.ok ? outcome.records : [];
    const pgids = new Set<number>();
    for (const record of records) if (record.pid !== null) pgids.add(record.pid);
    return formatExposition(metricFamilies({ records, groups: usage.groups(pgids), self: usage.self(), now: clock.now() }));
  };
}

/** Answers GET /metrics with `scrape()`; other paths 404, other methods 405. */
export function metricsHandler(scrape: () => string): (request: Request) => Response {
  return (request) => {
    if (new URL(request.url).pathname !== "/metrics") return new Response("not found: metrics are at /metrics\n", { status: 404 });
    if (request.method !== "GET") return new Response("method not allowed\n", { status: 405, headers: { allow: "GET" } });
    return new Response(scrape(), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
  };
}

/** A running metrics endpoint and the address it listens on (the kernel's port for port 0). */
export interface MetricsEndpoint {
  readonly address: string;
  readonly server: HttpServer;
}

/** Serves metrics at `bind`; a FatalError naming the address and the reason when it cannot. */
export async function startMetricsEndpoint(runtime: Http, bind: string, scrape: () => string): Promise<MetricsEndpoint> {
  const target = parseBind(bind);
  if (target.kind !== "tcp") throw new FatalError(`companion_metrics_bind ${JSON.stringify(bind)}: expected "host:port"`);
  let server: HttpServer;
  try {
    // A server of one: a port someone else holds is an error, never a shared SO_REUSEPORT group.
    server = await runtime.serveHttp(target, metricsHandler(scrape), { reusePort: false });
  } catch (error) {
    throw new FatalError(`cannot serve metrics on ${formatBind(target)} (companion_metrics_bind): ${bindFailureReason(error)}`, 1, { cause: error });
  }
  return { address: formatBind({ ...target, port: server.port ?? target.port }), server };
}
