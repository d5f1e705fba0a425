// One Bun HTTP worker of the adopt-listener experiment (see churn.mjs and docs/behaviour.md).
// "adopt": serve the parent's listening socket (fd 3): listen on it, put it on our own
// listener's fd number (dup2) and register it in our event loop's epoll with the registration
// data /proc/self/fdinfo shows for our listener. "reuseport": bind the port with SO_REUSEPORT.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readdirSync, readlinkSync, readFileSync } from "node:fs";
const [mode, portText] = process.argv.slice(2);
const port = Number(portText);
const server = Bun.serve({ hostname: "127.0.0.1", port: mode === "adopt" ? 0 : port, reusePort: true, fetch: () => new Response(`bun ${process.pid}`) });
if (mode === "adopt") {
  const own = server.port;
  let inode = "";
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length > 9 && parseInt(f[1]?.split(":")[1] ?? "", 16) === own && f[3] === "0A") inode = f[9] ?? "";
  }
  let listenFd = -1; const epolls: number[] = [];
  for (const name of readdirSync("/proc/self/fd")) {
    let link = ""; try { link = readlinkSync(`/proc/self/fd/${name}`); } catch { continue; }
    if (link === `socket:[${inode}]`) listenFd = Number(name);
    if (link === "anon_inode:[eventpoll]") epolls.push(Number(name));
  }
  let reg: { epfd: number; events: number; data: bigint } | null = null;
  for (const ep of epolls) {
    const m = new RegExp(`tfd:\\s+${listenFd} events:\\s*([0-9a-f]+) data:\\s*([0-9a-f]+)`).exec(readFileSync(`/proc/self/fdinfo/${ep}`, "utf8"));
    if (m) reg = { epfd: ep, events: parseInt(m[1] ?? "", 16), data: BigInt(`0x${m[2]}`) };
  }
  const libc = dlopen("libc.so.6", { dup2: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 }, epoll_ctl: { args: [FFIType.i32, FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 }, listen: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } });
  libc.symbols.listen(3, 2048);
  const ev = new Uint8Array(12); const dv = new DataView(ev.buffer);
  dv.setUint32(0, reg!.events, true); dv.setBigUint64(4, reg!.data, true);
  if (libc.symbols.dup2(3, listenFd) !== listenFd || libc.symbols.epoll_ctl(reg!.epfd, 1, listenFd, ptr(ev)) !== 0) throw new Error("adopt failed");
}
process.on("SIGTERM", async () => { await server.stop(false); process.exit(0); });
console.log("ready");
