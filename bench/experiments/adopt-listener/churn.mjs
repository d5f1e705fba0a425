// The adopt-listener experiment (docs/behaviour.md): 2 Bun workers, then 10 replacements (a new
// one ready, then TERM to the oldest) under 4 clients opening a connection per request, no retry.
// Usage (Linux x64): node bench/experiments/adopt-listener/churn.mjs adopt|reuseport
import net from "node:net"; import { spawn } from "node:child_process";
const mode = process.argv[2];
const ROOT = new URL("../../..", import.meta.url).pathname;
const BUN = `${ROOT}node_modules/.bin/bun`;
const probe = net.createServer().listen(0, "127.0.0.1"); await new Promise((r) => probe.once("listening", r));
const port = probe.address().port; probe.close(); await new Promise((r) => setTimeout(r, 50));
let shared = null;
if (mode === "adopt") { shared = net._createServerHandle("127.0.0.1", port, 4);}
const start = () => new Promise((resolve) => {
  const child = spawn(BUN, [`${ROOT}bench/experiments/adopt-listener/worker.ts`, mode, String(port)], { stdio: ["ignore", "pipe", "inherit", ...(shared ? [shared.fd] : [])] });
  child.stdout.once("data", () => resolve(child));
});
const workers = [await start(), await start()];
const load = spawn(BUN, ["-e", `import { startLoad } from "${ROOT}test/helpers/http-load.ts"; const l = startLoad("http://127.0.0.1:${port}", "fresh", 4); process.on("SIGTERM", async () => { const r = await l.stop(); console.log(JSON.stringify({ ok: r.ok, failed: r.failed, errors: r.errors.slice(0, 3) })); process.exit(0); });`], { stdio: ["ignore", "inherit", "inherit"] });
await new Promise((r) => setTimeout(r, 500));
for (let i = 0; i < 10; i++) {
  workers.push(await start());
  const old = workers.shift(); old.kill("SIGTERM"); await new Promise((r) => old.once("exit", r));
  await new Promise((r) => setTimeout(r, 200));
}
load.kill("SIGTERM"); await new Promise((r) => load.once("exit", r));
for (const w of workers) w.kill("SIGTERM");
console.log(mode, "done");
setTimeout(() => process.exit(0), 300);
