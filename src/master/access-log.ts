/**
 * The access log in gunicorn's default format:
 * `%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"`, to stdout
 * (`-`) or appended to a file that USR1 reopens (after logrotate moved it).
 * The file is created 0640 and never opened through a symlink.
 */
import { closeSync, writeSync } from "node:fs";
import { openAppendNoFollow } from "../runtime/private-files.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number) => String(n).padStart(2, "0");

/** `[28/Nov/2026:19:03:00 +0000]` */
export function formatAccessTime(date: Date): string {
  const offset = -date.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = `${offset >= 0 ? "+" : "-"}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return `[${pad(date.getDate())}/${MONTHS[date.getMonth()]}/${date.getFullYear()}:${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zone}]`;
}

/** One access-log line (with its newline). */
export function formatAccessLine(request: Request, response: Response, remoteAddress: string, at: Date): string {
  const url = new URL(request.url);
  const length = response.headers.get("content-length") ?? "-";
  const referer = request.headers.get("referer") ?? "-";
  const agent = request.headers.get("user-agent") ?? "-";
  return `${remoteAddress} - - ${formatAccessTime(at)} "${request.method} ${url.pathname}${url.search} HTTP/1.1" ${response.status} ${length} "${referer}" "${agent}"\n`;
}

/** Where access-log lines go. */
export interface AccessLog {
  write(line: string): void;
  /** Closes and opens the file again (USR1). */
  reopen(): void;
}

/** An access log to `-` (stdout) or a file path; a symlink at the path is refused with an error naming it. */
export function openAccessLog(target: string): AccessLog {
  if (target === "-") return { write: (line) => void writeSync(1, line), reopen() {} };
  const open = () => openAppendNoFollow(target, "access log");
  let fd = open();
  return {
    write(line) {
      writeSync(fd, line);
    },
    reopen() {
      const next = open();
      closeSync(fd);
      fd = next;
    },
  };
}
