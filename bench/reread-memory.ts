/**
 * The manager's RSS across many rereads (docs/reliability.md, "Hostile or
 * broken input"): a master with one companion and a TypeScript config, N
 * rereads one after the other on the control socket, the manager's RSS
 * before, every N/4 and after.
 *
 *   bun bench/reread-memory.ts [--count 2000] [--binary PATH]
 *
 * `--binary` measures another build (an older one, for a before/after).
 */
import { createConnection } from "node:net";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, stopProcess, tempDir, until } from "./lib.ts";
import { rssMiB } from "./proc.ts";

const arg = (name: string) => {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
};
const count = Number(arg("--count") ?? 2000);
const binary = arg("--binary") ?? BINARY;

function request(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = createConnection({ path: socket });
    let buffer = "";
    conn.on("data", (chunk) => {
      buffer += chunk.toString();
      if (buffer.includes("\n")) {
        conn.destroy();
        resolve(buffer.slice(0, buffer.indexOf("\n")));
      }
    });
    conn.on("error", reject);
    conn.write(`${line}\n`);
  });
}

function managerOf(master: number): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1] === String(master) && readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0").includes("manager")) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

const tmp = tempDir("gc-reread-bench");
const socket = join(tmp.dir, "c.sock");
const config = join(tmp.dir, "gunicorn.conf.ts");
writeFileSync(config, `export default { companion_control_socket: ${JSON.stringify(socket)}, companion_workers: [{ name: "s", command: ["sleep", "600"] }] };\n`);
const master = Bun.spawn([binary, "master", "-c", config], { cwd: tmp.dir, env: { ...process.env, TMPDIR: tmp.dir }, stdout: "ignore", stderr: "ignore" });
try {
  const manager = await until(() => managerOf(master.pid), "the manager");
  await until(async () => (await request(socket, '{"cmd":"status"}').catch(() => "")).includes("RUNNING"), "the companion");
  const samples: string[] = [`0: ${rssMiB(manager).toFixed(1)} MiB`];
  const started = Date.now();
  for (let i = 1; i <= count; i++) {
    const reply = await request(socket, '{"cmd":"reread"}');
    if (!reply.includes('"ok":true')) throw new Error(`reread ${i}: ${reply}`);
    if (i % Math.max(1, Math.floor(count / 4)) === 0) samples.push(`${i}: ${rssMiB(manager).toFixed(1)} MiB`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`${binary}\nmanager RSS after N rereads: ${samples.join(", ")}\n${count} rereads in ${seconds.toFixed(1)} s (${((seconds * 1000) / count).toFixed(1)} ms each)`);
} finally {
  await stopProcess(master);
  tmp.cleanup();
}
