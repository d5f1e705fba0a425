/**
 * pidfds with real processes (Bun's binding; Deno's is the same code over
 * Deno.dlopen): a signal reaches the whole group of the process the pidfd
 * was opened for, and never anything once that process is gone.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { openPidfdBun } from "./bun/pidfd.ts";

const groupMembers = (pgid: number) =>
  readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return fields[2] === String(pgid) && fields[0] !== "Z";
      } catch {
        return false;
      }
    });

test.skipIf(process.platform !== "linux")("signalGroup reaches every member of the leader's group; a pidfd of a process that is gone sends nothing", async () => {
  const leader = Bun.spawn(["sh", "-c", "sleep 30 & sleep 30 & wait"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
  try {
    const deadline = Date.now() + 5000;
    while (groupMembers(leader.pid).length < 3 && Date.now() < deadline) await Bun.sleep(10);
    expect(groupMembers(leader.pid).length).toBe(3);
    const pidfd = openPidfdBun(leader.pid);
    expect(pidfd).not.toBeNull();
    expect(pidfd?.signalGroup("SIGTERM")).toBe(true);
    await leader.exited;
    while (groupMembers(leader.pid).length > 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(groupMembers(leader.pid)).toEqual([]);
    pidfd?.close();
    // A process that is gone (and reaped): its pidfd still names it, so nothing reaches whoever gets its pid.
    const lone = Bun.spawn(["sleep", "30"], { detached: true, stdio: ["ignore", "ignore", "ignore"] });
    const lonefd = openPidfdBun(lone.pid);
    lone.kill("SIGKILL");
    await lone.exited;
    expect(lonefd?.signalGroup("SIGTERM")).toBe(false);
    lonefd?.close();
    expect(openPidfdBun(lone.pid)).toBeNull();
  } finally {
    try {
      process.kill(-leader.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});
