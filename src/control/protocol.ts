/**
 * The control protocol: newline-delimited JSON requests and replies
 * (docs/protocol.md). Every wire type lives here, with the encoders; the ctl
 * loads this; the manager validates requests with requests.ts and maps its
 * domain outcomes to these replies.
 */

/** A companion's state as the wire spells it. */
export type CompanionStateName = "STOPPED" | "STARTING" | "RUNNING" | "BACKOFF" | "STOPPING" | "EXITED" | "FATAL" | "STANDBY";

/** A singleton's lease as `status` shows it (docs/multi-host.md). */
export interface LeaseStatus {
  /** Who holds it (`host pid N`), here or elsewhere; null when nobody does or Redis cannot be reached. */
  holder: string | null;
  /** The fencing token of the holder's acquisition; null when unknown. */
  token: number | null;
  /** Seconds until the lease expires unless renewed; null when unknown. */
  expires_in: number | null;
}

/** One companion in a `status` reply (docs/protocol.md). */
export interface CompanionStatus {
  name: string;
  state: CompanionStateName;
  pid: number | null;
  description: string;
  /** Seconds since the current process started; null when none runs. */
  uptime: number | null;
  restart_count: number;
  exit_count: number;
  kill_count: number;
  last_exit_code: number | null;
  last_exit_signal: string | null;
  /** Epoch seconds of the last exit. */
  last_exit_at: number | null;
  /** Epoch seconds of the pending retry, in BACKOFF. */
  next_retry_at: number | null;
  /** Seconds between an exit and the retry. */
  restart_delay: number;
  last_error: string | null;
  stopped_manually: boolean;
  /** Present for singletons only. */
  lease?: LeaseStatus;
}


/** The commands the manager answers. */
export const COMMANDS = ["status", "start", "stop", "restart", "signal", "reread", "logs"] as const;

/** One of `COMMANDS`. */
export type CommandName = (typeof COMMANDS)[number];

/** An `id` a client may add to any request; the reply echoes it. */
type Id = { id?: string | number };

/** A valid request. */
export type Request =
  | ({ cmd: "status"; names?: string[] } & Id)
  | ({ cmd: "start" | "stop" | "restart"; name: string; wait: boolean } & Id)
  | ({ cmd: "signal"; name: string; signal: string | number } & Id)
  | ({ cmd: "reread" } & Id)
  | LogsRequest;

/** `logs`: the last `lines` lines of a stream, then with `follow` every new one (docs/logging.md). */
export type LogsRequest = { cmd: "logs"; name: string; lines: number; follow: boolean; stream: LogStream } & Id;

/** A companion's output stream. */
export type LogStream = "stdout" | "stderr";

/** Lines `logs` sends when the request does not say. */
export const DEFAULT_LOG_LINES = 100;
/** The most lines one `logs` request may ask for. */
export const MAX_LOG_LINES = 100_000;

/** A request for one companion. */
export type CompanionCommand = Exclude<Extract<Request, { name: string }>, LogsRequest>;

/** `{"ok":false,"error":…}`, plus details some errors carry. */
export interface ErrorReply {
  ok: false;
  error: string;
  name?: string;
  state?: string;
  kept_old_config?: true;
  id?: string | number;
}

/** The reply to `status`. */
export interface StatusReply {
  ok: true;
  companions: CompanionStatus[];
  id?: string | number;
}

/** The reply to start/stop/restart/signal naming one record. */
export interface CommandReply {
  ok: true;
  name: string;
  state: string;
  message: string;
  pid?: number | null;
  id?: string | number;
}

/** What happened to one member of a request that named several. */
export interface MemberResult {
  name: string;
  ok: boolean;
  message: string;
}

/** The reply to start/stop/restart/signal naming several records (a group, or `all`); ok when every member is. */
export interface ResultsReply {
  ok: boolean;
  results: MemberResult[];
  id?: string | number;
}

/** The reply to a successful reread. `updated`: changed, but stopped by hand, so stored for the next start. */
export interface RereadReply {
  ok: true;
  added: string[];
  removed: string[];
  restarted: string[];
  updated: string[];
  unchanged: string[];
  id?: string | number;
}

/** The end of a `logs` reply without `follow`. */
export interface LogsDoneReply {
  ok: true;
  done: true;
  id?: string | number;
}

/** Any reply. */
export type Reply = ErrorReply | StatusReply | CommandReply | ResultsReply | RereadReply | LogsDoneReply;

/** One line of a companion's output in a `logs` reply; `time` in epoch seconds. */
export interface LogLine {
  name: string;
  stream: LogStream;
  line: string;
  time: number;
}

/** Told to a follower that read too slowly: this many lines were lost here. */
export interface LogsDropped {
  dropped: number;
}

/** What a `logs` reply carries, one object a line. */
export type LogsMessage = LogLine | LogsDropped | LogsDoneReply | ErrorReply;

const encoder = new TextEncoder();

/** One reply as a line of JSON. */
export function encodeReply(reply: Reply): Uint8Array {
  return encoder.encode(`${JSON.stringify(reply)}\n`);
}

/** One line of output as a line of JSON. */
export function encodeLogLine(line: LogLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** The notice of lines lost by a slow follower. */
export function encodeDropped(count: number): Uint8Array {
  return encoder.encode(`${JSON.stringify({ dropped: count } satisfies LogsDropped)}\n`);
}

/** One request as a line of JSON (for clients). */
export function encodeRequest(request: Request): Uint8Array {
  return encoder.encode(`${JSON.stringify(request)}\n`);
}
