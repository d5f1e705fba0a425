/**
 * The shape of a resolved companion config (resolve.ts) as data: what a
 * manager accepts from the short-lived child that imported the config for a
 * reread (docs/security.md, "Reread"). Every value is plain JSON (strings,
 * numbers, booleans, null, lists, objects): settings never hold functions.
 */
import * as v from "valibot";
import { isSignalName } from "../runtime/signals.ts";
import type { SignalName } from "../runtime/types.ts";
import type { CompanionConfig } from "./resolve.ts";
import { RESTART_POLICIES } from "./schema.ts";

const Seconds = v.pipe(v.number(), v.finite(), v.minValue(0));
const Whole = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));

const ResolvedCompanionSchema = v.strictObject({
  name: v.pipe(v.string(), v.nonEmpty()),
  group: v.pipe(v.string(), v.nonEmpty()),
  instance: Whole(0),
  numprocs: Whole(1),
  target: v.nullable(v.string()),
  command: v.nullable(v.union([v.string(), v.array(v.string())])),
  cwd: v.string(),
  env: v.record(v.string(), v.string()),
  stop_signal: v.pipe(
    v.string(),
    v.check((name) => isSignalName(name)),
    v.transform((name) => name as SignalName),
  ),
  stop_timeout: Seconds,
  reload_timeout: Seconds,
  startsecs: Seconds,
  stdout: v.string(),
  stderr: v.string(),
  restart_policy: v.picklist(RESTART_POLICIES),
  restart_delay: Seconds,
  restart_delay_max: Seconds,
  start_retries: v.nullable(Whole(1)),
  stdout_max_bytes: Whole(0),
  stdout_backups: Whole(0),
  stderr_max_bytes: Whole(0),
  stderr_backups: Whole(0),
  singleton: v.boolean(),
});

/** A `CompanionConfig` as JSON, with its warnings. */
const LoadedCompanionSchema = v.strictObject({
  companion: v.strictObject({
    companions: v.array(ResolvedCompanionSchema),
    control_socket: v.nullable(v.string()),
    control_socket_mode: v.pipe(Whole(0), v.maxValue(0o777)),
    control_idle_timeout: Seconds,
    restart_delay: Seconds,
    metrics_bind: v.nullable(v.string()),
    log_prefix: v.boolean(),
    log_buffer: Whole(0),
    lease: v.nullable(v.strictObject({ url: v.string(), cluster: v.string(), ttl: Seconds })),
  }),
  warnings: v.array(v.string()),
});

/** Checks data claimed to be a resolved companion config; throws naming the first wrong field. */
export function parseLoadedCompanion(data: unknown): { companion: CompanionConfig; warnings: string[] } {
  const result = v.safeParse(LoadedCompanionSchema, data);
  if (result.success) return result.output;
  const issue = result.issues[0];
  throw new Error(`malformed companion config at ${v.getDotPath(issue) ?? "(top)"}: ${issue.message}`);
}
