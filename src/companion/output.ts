/**
 * Where companion output goes (docs/logging.md). The manager reads each
 * member's stdout and stderr pipes, cuts them into whole lines, keeps the
 * last bytes of each stream in a ring (for `logs`, whatever the destination),
 * and passes the lines on: to the master's stdout or stderr with a
 * `name | ` prefix, or to a log file it writes and rotates itself. With
 * `log_prefix: false` an inherited stream is the master's own descriptor,
 * handed to the child: nothing passes through the manager.
 */
import type { CompanionConfig, ResolvedCompanion } from "../config/resolve.ts";
import { errorMessage } from "../errors.ts";
import type { Clock } from "../supervise/clock.ts";
import { withTimeout } from "../supervise/timeout.ts";
import type { ByteSource, ChildHandle, Stdio } from "../runtime/index.ts";
import { SymlinkRefusedError } from "../runtime/private-files.ts";
import { openLogFile, type LogFile } from "./log-file.ts";
import { createBatcher, type Batcher } from "./log-batch.ts";
import { createLineCutter, linePrefix, type LinePieces } from "./log-lines.ts";
import { createLogRing, type LogRing } from "./log-ring.ts";

/** A companion's two output streams. */
export type StreamName = "stdout" | "stderr";

/** What the outputs need from the manager. */
export interface OutputDeps {
  /** Writes to the manager's own stdout or stderr (the master's); resolves once written. */
  write(stream: StreamName, bytes: Uint8Array): Promise<void>;
  /** Whether each of the manager's streams gets coloured prefixes. */
  colour: Record<StreamName, boolean>;
  /** The time lines are stamped with, and the timer that bounds a wait for a pipe's end. */
  clock: Pick<Clock, "now" | "setTimer" | "clearTimer">;
  /** A log file could not be written or reopened. */
  warn(name: string, message: string): void;
}

/** How one member's streams leave the manager, as the spawn must know it. */
export interface MemberStdio {
  stdout: Stdio;
  stderr: Stdio | "stdout";
}

/** Every member's output. */
export interface CompanionOutputs {
  /** Takes the prefix setting, the buffer size and the name width from the config in force. */
  configure(config: CompanionConfig): void;
  /** Opens (or keeps) the member's destinations before a spawn; throws when a log file cannot be opened. */
  prepare(name: string, spec: ResolvedCompanion): MemberStdio;
  /** Reads the pipes of a member's new process. */
  attach(name: string, child: Pick<ChildHandle, "stdout" | "stderr">): void;
  /**
   * Resolves once everything the process wrote is passed on (its pipes ended),
   * or after `graceMs` (something it started still holds them); undefined
   * when none of its output passes through the manager.
   */
  drained(child: Pick<ChildHandle, "stdout" | "stderr">, graceMs: number): Promise<void> | undefined;
  /** The member is gone: closes its files, drops its rings. */
  forget(name: string): void;
  /** The ring of a member's stream, or null for an unknown member. */
  ring(name: string, stream: StreamName): LogRing | null;
  /** Reopens every log file (USR1). */
  reopen(): void;
  /** Closes every log file once the pipes still open have ended, or after `graceMs` (the manager is stopping). */
  close(graceMs: number): Promise<void>;
}

interface Member {
  key: string;
  rings: Record<StreamName, LogRing>;
  /** Null: the child inherits the descriptor. stderr "stdout" shares stdout's. */
  sinks: Record<StreamName, Batcher | null>;
  files: LogFile[];
}

/** Bytes a pump passes on before it lets the event loop run other work (control requests). */
const YIELD_EVERY_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

/** Creates the outputs; nothing is opened until a member is prepared. */
export function createCompanionOutputs(deps: OutputDeps): CompanionOutputs {
  const members = new Map<string, Member>();
  const pumping = new Set<Promise<void>>();
  const pumpsOf = new WeakMap<object, Promise<unknown>>();
  /** Resolves when `work` settles or after `graceMs`, whichever comes first. */
  const within = (work: Promise<unknown>, graceMs: number) => withTimeout(work.then(() => undefined), graceMs, deps.clock, () => undefined);
  let prefixOn = true;
  let bufferBytes = 256 * 1024;
  let width = 0;
  const prefixes = new Map<string, Uint8Array>();

  const prefixOf = (name: string, stream: StreamName): Uint8Array => {
    const key = `${stream}\u0000${name}`;
    let prefix = prefixes.get(key);
    if (prefix === undefined) prefixes.set(key, (prefix = encoder.encode(linePrefix(name, width, deps.colour[stream]))));
    return prefix;
  };

  /** The destination of one stream: the master's stream (prefixed), a file, or null (the child inherits the descriptor). */
  function sinkFor(name: string, spec: ResolvedCompanion, stream: StreamName, target: string, files: LogFile[]): Batcher | null {
    if (target === "inherit") return prefixOn ? createBatcher((lines) => deps.write(stream, lines), prefixOf(name, stream)) : null;
    const rotation = stream === "stdout" ? { maxBytes: spec.stdout_max_bytes, backups: spec.stdout_backups } : { maxBytes: spec.stderr_max_bytes, backups: spec.stderr_backups };
    let file: LogFile;
    try {
      file = openLogFile(target, `${stream} file`, rotation, (message) => deps.warn(name, message));
    } catch (error) {
      if (error instanceof SymlinkRefusedError) throw error;
      const code = (error as { code?: string }).code;
      throw new Error(`cannot open ${stream} file ${target}: ${code ?? errorMessage(error)}`, { cause: error });
    }
    files.push(file);
    return createBatcher((lines) => file.write(lines));
  }

  function open(name: string, spec: ResolvedCompanion): Omit<Member, "key" | "rings"> {
    const files: LogFile[] = [];
    try {
      const stdout = sinkFor(name, spec, "stdout", spec.stdout, files);
      // stderr "stdout" goes wherever stdout goes, through the same sink (whole lines, never mixed).
      const stderr = spec.stderr === "stdout" ? stdout : sinkFor(name, spec, "stderr", spec.stderr, files);
      return { sinks: { stdout, stderr }, files };
    } catch (error) {
      for (const file of files) file.close();
      throw error;
    }
  }

  /** Keeps the lines and passes them on; a promise when the writer has a full batch to finish first. */
  function deliver(name: string, stream: StreamName, lines: LinePieces): Promise<void> | undefined {
    const member = members.get(name);
    if (member === undefined || lines.length === 0) return undefined;
    member.rings[stream].append(lines, deps.clock.now());
    return member.sinks[stream]?.push(lines);
  }

  async function pump(name: string, stream: StreamName, source: ByteSource): Promise<void> {
    const cutter = createLineCutter();
    let sinceYield = 0;
    try {
      for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
        const pending = deliver(name, stream, cutter.push(chunk));
        if (pending !== undefined) await pending;
        sinceYield += chunk.length;
        if (sinceYield >= YIELD_EVERY_BYTES) {
          // A flood must not keep the control socket waiting: let other work run.
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch {
      // the pipe failed: what was read still counts
    }
    await deliver(name, stream, cutter.flush());
    await members.get(name)?.sinks[stream]?.flush();
  }

  const flushAll = (member: Member) => Promise.all([member.sinks.stdout?.flush(), member.sinks.stderr?.flush()]);

  return {
    configure(config) {
      prefixOn = config.log_prefix;
      bufferBytes = config.log_buffer;
      const next = Math.max(0, ...config.companions.map((spec) => spec.name.length));
      if (next !== width) prefixes.clear();
      width = next;
    },
    prepare(name, spec) {
      const key = JSON.stringify([prefixOn, spec.stdout, spec.stderr, spec.stdout_max_bytes, spec.stdout_backups, spec.stderr_max_bytes, spec.stderr_backups]);
      let member = members.get(name);
      if (member === undefined || member.key !== key) {
        const opened = open(name, spec);
        const previous = member;
        if (previous !== undefined) void flushAll(previous).then(() => previous.files.forEach((file) => file.close()));
        const rings = member?.rings ?? { stdout: createLogRing(bufferBytes), stderr: createLogRing(bufferBytes) };
        member = { key, rings, ...opened };
        members.set(name, member);
      }
      const { sinks } = member;
      const stdout: Stdio = sinks.stdout === null ? "inherit" : "pipe";
      if (spec.stderr === "stdout" && sinks.stdout === null) return { stdout, stderr: "stdout" };
      return { stdout, stderr: sinks.stderr === null ? "inherit" : "pipe" };
    },
    attach(name, child) {
      const pumps: Promise<void>[] = [];
      for (const stream of ["stdout", "stderr"] as const) {
        const source = child[stream];
        if (source === null) continue;
        const running = pump(name, stream, source).finally(() => pumping.delete(running));
        pumping.add(running);
        pumps.push(running);
      }
      if (pumps.length > 0) pumpsOf.set(child, Promise.all(pumps));
    },
    drained(child, graceMs) {
      const pumps = pumpsOf.get(child);
      return pumps === undefined ? undefined : within(pumps, graceMs);
    },
    forget(name) {
      const member = members.get(name);
      if (member === undefined) return;
      members.delete(name);
      void flushAll(member).then(() => member.files.forEach((file) => file.close()));
    },
    ring: (name, stream) => members.get(name)?.rings[stream] ?? null,
    reopen() {
      for (const member of members.values()) for (const file of member.files) file.reopen();
    },
    async close(graceMs) {
      // The last lines of companions that just exited are still in their pipes.
      await within(Promise.all([...pumping]), graceMs);
      for (const member of members.values()) {
        await flushAll(member);
        for (const file of member.files) file.close();
      }
    },
  };
}
