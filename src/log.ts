/**
 * Logging: one consola instance with an explicit level (never taken from
 * DEBUG or NODE_ENV), no throttling of repeated lines, tags per role
 * (`master`, `manager`, `companion:NAME`, `control`), written to stderr in
 * gunicorn's format or as JSON lines for containers.
 */
import process from "node:process";
import { createConsola, type ConsolaInstance, type ConsolaReporter, type LogObject } from "consola/core";

/** gunicorn's log levels. */
export type LogLevel = "debug" | "info" | "warning" | "error" | "critical";

/** Line format: gunicorn-style text, or one JSON object per line. */
export type LogFormat = "text" | "json";

/** What roles log through. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A logger whose lines carry `tag` (e.g. `companion:rq`). */
  withTag(tag: string): Logger;
}

const CONSOLA_LEVELS: Record<LogLevel, number> = { debug: 4, info: 3, warning: 1, error: 0, critical: 0 };

const LEVEL_NAMES: Record<string, string> = { fatal: "CRITICAL", error: "ERROR", warn: "WARNING", info: "INFO", log: "INFO", debug: "DEBUG", trace: "DEBUG" };

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** `2026-11-28 19:03:00 +0000`, the timestamp gunicorn prints. */
export function formatTimestamp(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const abs = Math.abs(offset);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function messageOf(log: LogObject): string {
  return log.args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ");
}

function createReporter(format: LogFormat, pid: number, write: (line: string) => void): ConsolaReporter {
  return {
    log(log) {
      const level = LEVEL_NAMES[log.type] ?? "INFO";
      if (format === "json") {
        write(`${JSON.stringify({ time: log.date.toISOString(), level, pid, tag: log.tag || undefined, message: messageOf(log) })}\n`);
      } else {
        const tag = log.tag ? ` [${log.tag}]` : "";
        write(`[${formatTimestamp(log.date)}] [${pid}] [${level}]${tag} ${messageOf(log)}\n`);
      }
    },
  };
}

/**
 * A logger over the one root instance. A tag travels with each line as a log
 * object rather than as a consola instance of its own: a manager with a
 * thousand companions keeps a thousand small wrappers, not a thousand consolas.
 */
function wrap(root: ConsolaInstance, tag: string): Logger {
  const line = (message: string) => (tag === "" ? message : { tag, args: [message] });
  return {
    debug: (message) => root.debug(line(message)),
    info: (message) => root.info(line(message)),
    warn: (message) => root.warn(line(message)),
    error: (message) => root.error(line(message)),
    // Tags replace each other (`companion:rq`, not `manager:companion:rq`).
    withTag: (next) => wrap(root, next),
  };
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  pid: number;
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
}

/** Creates the process's logger. */
export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const instance = createConsola({
    level: CONSOLA_LEVELS[options.level],
    // consola would merge repeated lines into "(repeated N times)"; a supervisor's log must show every event.
    throttle: 0,
    reporters: [createReporter(options.format, options.pid, write)],
  });
  return wrap(instance, "");
}

/** A logger that drops everything (tests, and roles before their logger exists). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  withTag: () => silentLogger,
};

/** A logger that keeps each line as `level: message` (debug aside) in `lines`; for tests. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    debug: () => {},
    info: (message: string) => void lines.push(`info: ${message}`),
    warn: (message: string) => void lines.push(`warn: ${message}`),
    error: (message: string) => void lines.push(`error: ${message}`),
    withTag: () => logger,
  };
  return logger;
}

/**
 * A logger for a supervision machine's own lines: info and warn go to debug,
 * errors stay errors, each prefixed (`companion manager: …`, `worker 2: …`);
 * the caller logs what matters in its own words.
 */
export function createQuietLogger(log: Logger, prefix: () => string): Logger {
  const quiet: Logger = {
    debug: (message) => log.debug(`${prefix()}: ${message}`),
    info: (message) => log.debug(`${prefix()}: ${message}`),
    warn: (message) => log.debug(`${prefix()}: ${message}`),
    error: (message) => log.error(`${prefix()}: ${message}`),
    withTag: () => quiet,
  };
  return quiet;
}
