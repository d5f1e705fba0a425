/**
 * Pure glue between singleton companions' records and their leases: which
 * mode a record's lease is in, and how a lease reads in `status`.
 */
import type { ChildRecord, ChildSpec } from "../../supervise/machine.ts";
import type { LeaseMode, LeaseView } from "./keeper.ts";

/**
 * The lease mode a record calls for. A singleton that is up, on its way up or
 * waiting contends; one being stopped for good keeps a lease it holds until
 * its process is gone; one that is down (or no longer a singleton, or
 * removed) releases it. Null: nothing to do (never a singleton).
 */
export function leaseModeOf(record: ChildRecord<ChildSpec> | undefined, known: boolean): LeaseMode | null {
  if (record === undefined || record.spec.singleton !== true) return known ? "release" : null;
  switch (record.state) {
    case "STANDBY":
    case "STARTING":
    case "RUNNING":
    case "BACKOFF":
      return "contend";
    case "STOPPING":
      return record.afterStop === "start" ? "contend" : "keep";
    default:
      return record.pid === null && !record.spawning ? "release" : "keep";
  }
}

/** `web-2 pid 4121` out of a holder's stored value (`web-2 pid 4121 #<launch>.<nonce>`). */
export const displayHolder = (value: string | null): string | null => (value === null ? null : value.replace(/ #\S*$/, ""));

/** Our value in the store: host, pid, and what makes it unique to this manager. */
export const holderValue = (host: string, pid: number, launchId: number, nonce: string) => `${host} pid ${pid} #${launchId}.${nonce}`;

/** Why a STANDBY singleton waits, for its status line. */
export function standbyReason(view: LeaseView | null, hasStore: boolean): string {
  if (!hasStore) return "no lease store (companion_lease_url applies at the next HUP)";
  if (view === null) return "waiting for the lease";
  if (view.error !== null) return view.error;
  const holder = displayHolder(view.holder);
  return holder === null ? "waiting for the lease" : `held by ${holder}`;
}

/** The `lease` of a singleton's status entry. */
export function leaseStatus(view: LeaseView | null, now: number): { holder: string | null; token: number | null; expires_in: number | null } {
  if (view === null) return { holder: null, token: null, expires_in: null };
  const expiresIn = view.expiresAt === null ? null : Math.round(Math.max(0, view.expiresAt - now) / 100) / 10;
  return { holder: displayHolder(view.holder), token: view.token, expires_in: expiresIn };
}

/** The part of the lease keeper a companion supervisor uses. */
export interface Leases {
  set(name: string, mode: LeaseMode): void;
  token(name: string): number | null;
  view(name: string): LeaseView | null;
}

/** Keeps each singleton's lease in the mode its record calls for, and gives a holder's token to its process's environment. */
export function createLeaseSync(leases: Leases | undefined, get: (name: string) => ChildRecord<ChildSpec> | undefined) {
  const known = new Set<string>();
  return {
    /** After any change of `name`'s record. */
    sync(name: string): void {
      if (leases === undefined) return;
      const mode = leaseModeOf(get(name), known.has(name));
      if (mode === null) return;
      if (mode === "release") known.delete(name);
      else known.add(name);
      leases.set(name, mode);
    },
    /** The environment of a process about to be spawned, with the fencing token of its lease. */
    env<E extends Record<string, string>>(name: string, env: E): E {
      const token = leases?.token(name) ?? null;
      return token === null ? env : { ...env, GUNICORN_COMPANION_LEASE_TOKEN: String(token) };
    },
    view: (name: string) => leases?.view(name) ?? null,
    hasStore: leases !== undefined,
  };
}
