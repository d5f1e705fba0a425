import { createHash } from "node:crypto";
import type { CompanionConfig, ResolvedCompanion } from "./resolve.ts";

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function encodeCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encodeCanonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${encodeCanonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The config hash of one companion member: every field its process runs with
 * (not the restart settings, which apply in place, nor `numprocs`: adding
 * members must not restart the ones that stay), stable across runs and key
 * order. `reread` restarts a member when this changes.
 */
export function hashCompanion(companion: ResolvedCompanion): string {
  const { name, group, instance, target, command, cwd, env, stop_signal, stop_timeout, reload_timeout, startsecs, stdout, stderr, singleton } = companion;
  const { stdout_max_bytes, stdout_backups, stderr_max_bytes, stderr_backups } = companion;
  const logFiles = { stdout_max_bytes, stdout_backups, stderr_max_bytes, stderr_backups };
  return sha256(
    encodeCanonicalJson({ name, group, instance, target, command, cwd, env, stop_signal, stop_timeout, reload_timeout, startsecs, stdout, stderr, singleton, ...logFiles }),
  );
}

/**
 * The hash of everything the manager runs with. The master restarts the
 * manager on HUP only when this changes; companion order does not count.
 */
export function hashCompanionConfig(config: CompanionConfig): string {
  // The restart settings count here: the master's HUP hands a change of them to the manager.
  const companions = config.companions
    .map((c) => `${hashCompanion(c)}:${encodeCanonicalJson([c.restart_policy, c.restart_delay, c.restart_delay_max, c.start_retries])}`)
    .sort();
  return sha256(
    encodeCanonicalJson({
      companions,
      control_socket: config.control_socket,
      control_socket_mode: config.control_socket_mode,
      control_idle_timeout: config.control_idle_timeout,
      restart_delay: config.restart_delay,
      metrics_bind: config.metrics_bind,
      log_prefix: config.log_prefix,
      log_buffer: config.log_buffer,
      lease: config.lease,
    }),
  );
}
