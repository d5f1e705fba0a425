/**
 * Runtime conformance: runs inside Bun, Deno or Node (bundled), uses only
 * node:assert, and prints one NDJSON line per check: {"check","ok","error"?}.
 * test/runtime/conformance.test.ts runs it under each runtime and reads the lines.
 *
 * Usage: <runtime> conformance.ts <scratch-dir>
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { markedProcesses, STATE_MARKER } from "../../src/companion/marked.ts";
import { isProcessLive, liveGroupMembers, readProcessStartTime } from "../../src/companion/proc.ts";
import { formatSelfCommand, getRuntime, SpawnError, type Connection } from "../../src/runtime/index.ts";

const runtime = await getRuntime();
const scratch = runtime.args[0];
if (scratch === undefined) throw new Error("usage: conformance <scratch-dir>");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readAll(source: { read(): Promise<Uint8Array | null> }): Promise<string> {
  let text = "";
  for (;;) {
    const chunk = await source.read();
    if (chunk === null) return text;
    text += decoder.decode(chunk);
  }
}

/** Gone, or a zombie waiting for PID 1 to reap it (not every PID 1 does). */
function alive(pid: number): boolean {
  return isProcessLive(pid) ?? runtime.kill(pid, 0);
}

async function waitGone(pid: number, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await sleep(10);
  }
  return false;
}

const checks: Record<string, () => Promise<void>> = {
  async "spawn failure is a SpawnError naming the command"() {
    await assert.rejects(runtime.spawn({ argv: ["/nonexistent/program", "x"] }), (error: unknown) => {
      assert.ok(error instanceof SpawnError);
      assert.deepEqual(error.argv, ["/nonexistent/program", "x"]);
      return true;
    });
    await assert.rejects(runtime.spawn({ argv: ["sh", "-c", "true"], cwd: "/nonexistent-dir" }), /working directory \/nonexistent-dir does not exist/);
  },
  async "a bare program is looked up on the child's PATH, a miss names it"() {
    const bin = join(scratch, "path-bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "only-here"), "#!/bin/sh\necho found:$1\n", { mode: 0o755 });
    // Only the child's PATH has the program; ours has not (and the child's lacks ours).
    const found = await runtime.spawn({ argv: ["only-here", "x"], env: { PATH: `${bin}:/usr/bin:/bin` }, stdout: "pipe" });
    assert.equal(await readAll(found.stdout as NonNullable<typeof found.stdout>), "found:x\n");
    await assert.rejects(runtime.spawn({ argv: ["sh", "-c", "true"], env: { PATH: bin } }), /cannot start sh: not found on PATH/);
    // The same under Deno's file redirection, where a shell would otherwise report the miss as exit 127.
    await assert.rejects(runtime.spawn({ argv: ["no-such-program-x"], stdout: { file: join(scratch, "miss.log"), append: true } }), (error: unknown) => {
      assert.ok(error instanceof SpawnError);
      assert.match(error.message, /cannot start no-such-program-x: not found on PATH/);
      return true;
    });
  },
  async "exit code and signal are kept apart"() {
    const three = await runtime.spawn({ argv: ["sh", "-c", "exit 3"] });
    assert.deepEqual(await three.exited, { exitCode: 3, signal: null });
    const sleeper = await runtime.spawn({ argv: ["sleep", "30"] });
    assert.equal(sleeper.kill("SIGTERM"), true);
    assert.deepEqual(await sleeper.exited, { exitCode: null, signal: "SIGTERM" });
  },
  async "a group leader's group is signalled as a whole"() {
    const pidFile = join(scratch, "grandchild.pid");
    const leader = await runtime.spawn({ argv: ["sh", "-c", `sleep 30 & echo $! > ${pidFile}; wait`], processGroup: true });
    let grandchild = 0;
    for (let i = 0; i < 300 && grandchild === 0; i++) {
      await sleep(10);
      if (existsSync(pidFile)) grandchild = Number.parseInt(readFileSync(pidFile, "utf8"), 10) || 0;
    }
    assert.ok(grandchild > 0, "the grandchild started");
    assert.equal(leader.killGroup("SIGTERM"), true);
    assert.deepEqual(await leader.exited, { exitCode: null, signal: "SIGTERM" });
    assert.ok(await waitGone(grandchild), "the grandchild got the group's signal");
    assert.deepEqual(liveGroupMembers(leader.pid) ?? [], [], "the group is gone");
  },
  async "/proc is listed and read (Deno: through libc), a process found by its state directory marker"() {
    const stateDir = join(scratch, "marker-state");
    const marked = await runtime.spawn({ argv: ["sleep", "30"], env: { [STATE_MARKER]: stateDir, PATH: "/usr/bin:/bin" }, processGroup: true });
    try {
      assert.ok(readProcessStartTime(marked.pid) !== null, "a start time is read");
      assert.deepEqual(liveGroupMembers(marked.pid), [marked.pid], "its group is listed");
      assert.deepEqual(markedProcesses(stateDir), [marked.pid], "the marker is found in /proc/PID/environ");
      assert.deepEqual(markedProcesses(`${stateDir}-other`), [], "another directory's marker is not");
    } finally {
      marked.killGroup("SIGKILL");
      await marked.exited;
    }
  },
  async "stdout and stderr append to files, stderr can follow stdout"() {
    const out = join(scratch, "out.log");
    const err = join(scratch, "err.log");
    writeFileSync(out, "before\n");
    const child = await runtime.spawn({ argv: ["sh", "-c", "echo out; echo err >&2"], stdout: { file: out, append: true }, stderr: { file: err, append: true } });
    await child.exited;
    assert.equal(readFileSync(out, "utf8"), "before\nout\n");
    assert.equal(readFileSync(err, "utf8"), "err\n");
    const merged = join(scratch, "merged.log");
    const both = await runtime.spawn({ argv: ["sh", "-c", "echo one; echo two >&2"], stdout: { file: merged, append: true }, stderr: "stdout" });
    await both.exited;
    assert.equal(readFileSync(merged, "utf8"), "one\ntwo\n");
    await assert.rejects(runtime.spawn({ argv: ["true"], stdout: { file: join(scratch, "no/such/dir.log"), append: true } }), /cannot open stdout file/);
  },
  async "cwd, env and pipes"() {
    const child = await runtime.spawn({ argv: ["sh", "-c", 'pwd; echo "$GREETING"'], cwd: scratch, env: { GREETING: "hello", PATH: "/usr/bin:/bin" }, stdout: "pipe" });
    const output = await readAll(child.stdout ?? { read: async () => null });
    await child.exited;
    assert.equal(output, `${scratch}\nhello\n`);
  },
  async "closing a child's stdin pipe is seen as end of file (the lifeline)"() {
    const child = await runtime.spawn({ argv: ["sh", "-c", "cat > /dev/null; echo eof"], stdin: "pipe", stdout: "pipe" });
    await sleep(50);
    child.stdin?.end();
    assert.equal(await readAll(child.stdout ?? { read: async () => null }), "eof\n");
    assert.deepEqual(await child.exited, { exitCode: 0, signal: null });
  },
  async "unix sockets: request, half-close, reply"() {
    const path = join(scratch, "c.sock");
    const served = new Promise<string>((resolve) => {
      void runtime
        .listenUnix(
          path,
          (conn: Connection) => {
            void (async () => {
              const request = await readAll(conn);
              await conn.write(encoder.encode(`got ${request}`));
              conn.end();
              resolve(request);
            })();
          },
          { maxBufferedBytes: 1 << 20 },
        )
        .then((listener) => served.finally(() => listener.close()));
    });
    for (let i = 0; i < 100 && !existsSync(path); i++) await sleep(10);
    const client = await runtime.connectUnix(path);
    await client.write(encoder.encode("ping"));
    client.end();
    assert.equal(await readAll(client), "got ping");
    assert.equal(await served, "ping");
    client.close();
    await assert.rejects(runtime.connectUnix(join(scratch, "none.sock")));
  },
  async "signal handlers can be installed and removed"() {
    let seen = 0;
    const off = runtime.onSignal("SIGUSR2", () => {
      seen += 1;
    });
    runtime.kill(runtime.pid, "SIGUSR2");
    for (let i = 0; i < 100 && seen === 0; i++) await sleep(10);
    assert.equal(seen, 1);
    off();
  },
  async "self command points at this program"() {
    const argv = formatSelfCommand(runtime.snapshot(), "companion", ["x"]);
    assert.equal(argv[0], runtime.snapshot().execPath);
    assert.ok(existsSync(argv[0] ?? ""), "the executable exists");
    assert.deepEqual(argv.slice(-2), ["companion", "x"]);
    if (runtime.name === "deno") assert.ok(argv.includes("--allow-run"), "deno children get our permissions");
  },
  async "parent-death signal: available on Linux for Bun and Deno, not Node"() {
    const available = runtime.setParentDeathSignal("SIGTERM");
    // Undo it: this process's parent is the test runner.
    runtime.setParentDeathSignal("SIGCONT");
    assert.equal(available, process.platform === "linux" && runtime.name !== "node");
  },
  async "importFresh evaluates a changed module again"() {
    const file = join(scratch, "mod.mjs");
    writeFileSync(file, "export const n = 1;\n");
    assert.equal((await runtime.importFresh(file)).n, 1);
    writeFileSync(file, "export const n = 2;\n");
    assert.equal((await runtime.importFresh(file)).n, 2);
  },
};

for (const [check, run] of Object.entries(checks)) {
  try {
    await run();
    process.stdout.write(`${JSON.stringify({ check, runtime: runtime.name, ok: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ check, runtime: runtime.name, ok: false, error: error instanceof Error ? error.message : String(error) })}\n`);
  }
}
runtime.exit(0);
