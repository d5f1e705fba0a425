/**
 * `check -c FILE` and `master --check-config`: load and validate the config
 * and its companion_config_file strictly (unknown settings are issues too),
 * start nothing, bind nothing; print the companions, or every issue.
 */
import { loadConfig, type ConfigSources } from "../config/load.ts";
import type { ResolvedCompanion, Settings } from "../config/resolve.ts";
import { ConfigError } from "../errors.ts";
import { EXIT_FAILURE, EXIT_OK } from "../exit-codes.ts";
import type { Modules, Output, ProcessInfo } from "../runtime/index.ts";

/** One configured companion (a group of `numprocs` members) as `check` prints it. */
export interface CheckedCompanion {
  name: string;
  /** What it runs: `target MODULE:EXPORT`, `command ARGV…` or `sh -c "LINE"`. */
  program: string;
  numprocs: number;
  restart: string;
}

/** What each member runs, as one column. */
function programOf(member: ResolvedCompanion): string {
  if (member.target !== null) return `target ${member.target}`;
  // The first member's, {instance} replaced; an argv reads as the words it runs, a string as the shell line.
  return typeof member.command === "string" ? `sh -c ${JSON.stringify(member.command)}` : `command ${(member.command ?? []).join(" ")}`;
}

/** The restart policy in one column: `always, 5s`, `on-failure, 1s…60s, FATAL after 5 early exits`. */
function restartOf(member: ResolvedCompanion): string {
  const delay = member.restart_delay_max > member.restart_delay ? `${member.restart_delay}s…${member.restart_delay_max}s` : `${member.restart_delay}s`;
  const retries = member.start_retries === null ? "" : `, FATAL after ${member.start_retries} early exit${member.start_retries === 1 ? "" : "s"}`;
  return member.restart_policy === "never" ? "never" : `${member.restart_policy}, ${delay}${retries}`;
}

/** The configured companions: members of one group folded into one entry. */
export function checkedCompanions(settings: Settings): CheckedCompanion[] {
  const byGroup = new Map<string, CheckedCompanion>();
  for (const member of settings.companion_workers) {
    const seen = byGroup.get(member.group);
    if (seen !== undefined) seen.numprocs += 1;
    else byGroup.set(member.group, { name: member.group, program: programOf(member), numprocs: 1, restart: restartOf(member) });
  }
  return [...byGroup.values()];
}

/** The report of a valid config: where it came from, the socket, and a table of companions. */
export function formatCheck(configFile: string | null, settings: Settings): string {
  const lines = [`config ok: ${configFile ?? "(command line only)"}${settings.companion_config_file === null ? "" : ` with companion_config_file ${settings.companion_config_file}`}`];
  lines.push(`control socket: ${settings.companion_control_socket ?? "(none)"}`);
  const companions = checkedCompanions(settings);
  lines.push(`${companions.length} companion${companions.length === 1 ? "" : "s"}${companions.length === 0 ? "" : ":"}`);
  const rows = [["NAME", "PROGRAM", "NUMPROCS", "RESTART"], ...companions.map((c) => [c.name, c.program, String(c.numprocs), c.restart])];
  const widths = [0, 1, 2].map((col) => Math.max(...rows.map((row) => (row[col] as string).length)));
  if (companions.length > 0) for (const row of rows) lines.push(row.map((cell, col) => (col < 3 ? cell.padEnd((widths[col] as number) + 2) : cell)).join("").trimEnd());
  return `${lines.join("\n")}\n`;
}

/** Loads strictly and prints the companions (exit 0) or every issue (exit 1). */
export async function runCheck(runtime: ProcessInfo & Modules & Output, sources: ConfigSources): Promise<number> {
  let settings: Settings;
  try {
    ({ settings } = await loadConfig(runtime, { ...sources, strict: true }));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.lines();
    await runtime.write("stderr", `${lines.map((line) => `error: ${line}\n`).join("")}${lines.length} issue${lines.length === 1 ? "" : "s"} found\n`);
    return EXIT_FAILURE;
  }
  await runtime.write("stdout", formatCheck(sources.configFile, settings));
  return EXIT_OK;
}
