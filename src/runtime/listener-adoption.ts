/**
 * One listening socket (TCP or unix) for every worker, under runtimes that
 * cannot serve an inherited fd (Bun, Deno). The master opens it through libc;
 * a worker serves a throwaway listener of the same kind (127.0.0.1:0, or a
 * unix socket beside the shared one's path) and then puts the shared socket
 * in its place: `dup2` onto the throwaway's fd number (found through its
 * inode in /proc/net/tcp or /proc/net/unix and /proc/self/fd) and the same
 * epoll registration the event loop made for it (read from
 * /proc/self/fdinfo). The runtime's own accept
 * loop then accepts from the one queue all workers share, so a worker that
 * stops loses nothing queued: no reset, whatever net.ipv4.tcp_migrate_req says.
 * Linux only (x64, arm64). Measured in docs/behaviour.md.
 */
import { isIPv4, isIPv6 } from "node:net";
import { listenError } from "./listen-error.ts";
import { removeSocketFile } from "./private-files.ts";
import { listProcDir, readProcFile, readProcLink } from "./proc-read.ts";
import type { ListenTarget, SharedListener } from "./types.ts";

/** The few libc calls this needs, as each runtime's FFI binds them. */
export interface SocketLibc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  bind(fd: number, address: Uint8Array): number;
  listen(fd: number, backlog: number): number;
  dup2(from: number, to: number): number;
  close(fd: number): number;
  epollCtl(epfd: number, op: number, fd: number, event: Uint8Array): number;
  errno(): number;
}

/** The fds this process has open (up to `limit`), with where each points. */
function openFds(limit = 4096): Array<{ fd: number; link: string }> {
  const fds: Array<{ fd: number; link: string }> = [];
  for (const fd of listProcDir("/proc/self/fd")?.map(Number) ?? Array.from({ length: limit }, (_, i) => i)) {
    const link = readProcLink(`/proc/self/fd/${fd}`);
    if (link !== null) fds.push({ fd, link });
  }
  return fds;
}

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const ERRNO_CODES: Readonly<Record<number, string>> = { 1: "EPERM", 2: "ENOENT", 13: "EACCES", 20: "ENOTDIR", 22: "EINVAL", 36: "ENAMETOOLONG", 98: "EADDRINUSE", 99: "EADDRNOTAVAIL" };
/** The longest unix socket path (sun_path holds 108 bytes with its NUL). */
const MAX_UNIX_PATH_BYTES = 107;

/** Where the shared socket works: Linux on x64 or arm64 (the epoll_event layouts known here). */
export const sharedSocketSupported = (): boolean => process.platform === "linux" && (process.arch === "x64" || process.arch === "arm64");

/** The 16 bytes of an IPv6 literal. */
function ipv6Bytes(host: string): Uint8Array {
  const [head = "", tail] = host.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  let words = groups(head);
  if (tail !== undefined) words = [...words, ...Array<string>(8 - words.length - groups(tail).length).fill("0"), ...groups(tail)];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    const value = parseInt(word, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

/** A sockaddr_in or sockaddr_in6 for an IP literal and a port. */
export function socketAddress(host: string, port: number): Uint8Array {
  const v6 = isIPv6(host);
  if (!v6 && !isIPv4(host)) throw Object.assign(new Error(`"${host}" is not an IP address`), { code: "EINVAL" });
  const address = new Uint8Array(v6 ? 28 : 16);
  const view = new DataView(address.buffer);
  view.setUint16(0, v6 ? AF_INET6 : AF_INET, true);
  view.setUint16(2, port, false);
  if (v6) address.set(ipv6Bytes(host), 8);
  else address.set(host.split(".").map(Number), 4);
  return address;
}

/** A sockaddr_un for a path. */
export function unixSocketAddress(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > MAX_UNIX_PATH_BYTES) throw Object.assign(new Error(`the path is ${bytes.length} bytes long, at most ${MAX_UNIX_PATH_BYTES}`), { code: "ENAMETOOLONG" });
  const address = new Uint8Array(2 + bytes.length + 1);
  new DataView(address.buffer).setUint16(0, AF_UNIX, true);
  address.set(bytes, 2);
  return address;
}

/** Opens, binds and listens a non-blocking socket in the master (workers get it as an inherited fd). */
export function openSharedSocket(libc: SocketLibc, target: Exclude<ListenTarget, { kind: "fd" }>): SharedListener {
  const failed = (code: string) => listenError(target, { code });
  let address: Uint8Array;
  try {
    address = target.kind === "unix" ? unixSocketAddress(target.path) : socketAddress(target.host, target.port);
  } catch (error) {
    throw listenError(target, error);
  }
  const domain = target.kind === "unix" ? AF_UNIX : isIPv6(target.host) ? AF_INET6 : AF_INET;
  const fd = libc.socket(domain, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failed(ERRNO_CODES[libc.errno()] ?? `errno ${libc.errno()}`);
  const one = new Uint8Array(new Int32Array([1]).buffer);
  if ((target.kind === "tcp" && libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one) !== 0) || libc.bind(fd, address) !== 0 || libc.listen(fd, 2048) !== 0) {
    const errno = libc.errno();
    libc.close(fd);
    throw failed(ERRNO_CODES[errno] ?? `errno ${errno}`);
  }
  if (target.kind === "tcp") return { fd, close: () => void libc.close(fd) };
  // The socket file goes with the socket (as Node's own does), if it is still a socket.
  return { fd, close: () => (libc.close(fd), removeSocketFile(target.path)) };
}

/** This process's fd of the socket with `inode`. */
function fdOfInode(inode: string, what: string): number {
  const found = inode === "" ? undefined : openFds().find(({ link }) => link === `socket:[${inode}]`);
  if (found === undefined) throw new Error(`no listening socket of ours ${what}`);
  return found.fd;
}

/** The fd of this process's listening TCP socket on `port`, by its inode. */
function listeningFd(port: number): number {
  let inode = "";
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of (readProcFile(table) ?? "").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === "0A" && parseInt(fields[1]?.split(":").at(-1) ?? "", 16) === port) inode = fields[9] ?? "";
    }
  }
  return fdOfInode(inode, `on port ${port}`);
}

/** The listening unix sockets of the host: inode → path (/proc/net/unix, flag __SO_ACCEPTCON). */
function listeningUnixSockets(): Map<string, string> {
  const sockets = new Map<string, string>();
  for (const line of (readProcFile("/proc/net/unix") ?? "").split("\n").slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path (a path may hold spaces)
    const fields = line.trim().split(/\s+/);
    if (fields.length >= 8 && fields[3] === "00010000") sockets.set(fields[6] ?? "", fields.slice(7).join(" "));
  }
  return sockets;
}

/** The path of an inherited listening unix socket, or null when `fd` is not one (a TCP socket). */
export function sharedUnixPath(fd: number): string | null {
  const inode = /^socket:\[(\d+)\]$/.exec(readProcLink(`/proc/self/fd/${fd}`) ?? "")?.[1];
  return inode === undefined ? null : (listeningUnixSockets().get(inode) ?? null);
}

/**
 * Where a worker serves its throwaway listener before it adopts the shared
 * socket `fd`: for a unix socket, a path beside the shared one's, named for
 * this process; null for a TCP socket (127.0.0.1:0).
 */
export function throwawayUnixPath(fd: number): string | null {
  const path = sharedUnixPath(fd);
  return path === null ? null : `${path}.${process.pid}.adopt`;
}

/** The epoll fd that watches `fd`, and how (events mask, data). */
function epollRegistration(fd: number): { epfd: number; events: number; data: bigint } {
  for (const { fd: epfd, link } of openFds()) {
    if (link !== "anon_inode:[eventpoll]") continue;
    const match = new RegExp(`tfd:\\s+${fd} events:\\s*([0-9a-f]+) data:\\s*([0-9a-f]+)`).exec(readProcFile(`/proc/self/fdinfo/${epfd}`) ?? "");
    if (match !== null) return { epfd, events: parseInt(match[1] ?? "0", 16), data: BigInt(`0x${match[2] ?? "0"}`) };
  }
  throw new Error(`no epoll watches fd ${fd}`);
}

/** A struct epoll_event: packed (12 bytes) on x64, 16 bytes on arm64. */
function epollEvent(events: number, data: bigint): Uint8Array {
  const packed = process.arch === "x64";
  const event = new Uint8Array(packed ? 12 : 16);
  const view = new DataView(event.buffer);
  view.setUint32(0, events, true);
  view.setBigUint64(packed ? 4 : 8, data, true);
  return event;
}

/**
 * Puts the inherited socket `shared` in place of this process's listener on
 * `own` (a TCP port, or a unix socket path). `release` stops accepting from it (the connections stay): the
 * registration goes and the fd number gets an idle dummy listener the server closes later.
 */
export function adoptSharedListener(libc: SocketLibc, shared: number, own: { port: number } | { path: string }): { release(): void } {
  let fd: number;
  if ("port" in own) fd = listeningFd(own.port);
  else {
    const inode = [...listeningUnixSockets()].find(([, path]) => path === own.path)?.[0] ?? "";
    fd = fdOfInode(inode, `at ${own.path}`);
    // Nobody is to connect to the throwaway: its name goes now.
    removeSocketFile(own.path);
  }
  const { epfd, events, data } = epollRegistration(fd);
  if (libc.dup2(shared, fd) !== fd) throw new Error(`dup2 failed: errno ${libc.errno()}`);
  if (libc.epollCtl(epfd, EPOLL_CTL_ADD, fd, epollEvent(events, data)) !== 0) throw new Error(`epoll_ctl failed: errno ${libc.errno()}`);
  libc.close(shared);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      // epoll keeps a registration while any process holds the socket: remove ours first.
      libc.epollCtl(epfd, EPOLL_CTL_DEL, fd, epollEvent(0, 0n));
      // The dummy listens (on 127.0.0.1:0, where nobody connects): an accept the loop
      // may still try on the fd then finds nothing queued rather than an error.
      const dummy = libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (dummy >= 0) {
        libc.bind(dummy, socketAddress("127.0.0.1", 0));
        libc.listen(dummy, 1);
        libc.dup2(dummy, fd);
        libc.close(dummy);
      }
    },
  };
}

/** `Http.openSharedListener` for the runtimes that adopt the master's socket (Bun, Deno), through `libc`. */
export async function openSharedListenerWith(libc: () => Promise<SocketLibc>, target: Exclude<ListenTarget, { kind: "fd" }>): Promise<SharedListener> {
  return openSharedSocket(await libc(), target);
}
