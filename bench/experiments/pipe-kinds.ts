/**
 * A lead for the output path's throughput (bench/results/logs.md): how fast
 * Bun alone copies a flood of 100-byte lines (`yes | head -c`) from a child
 * to a file, depending on what the child's stdout is.
 *
 *   bun bench/experiments/pipe-kinds.ts [--mib 200] [--rounds 5]
 *
 * - `Bun.spawn stdout "pipe"`: what the runtime layer uses today. Under Bun
 *   it is a unix socketpair, not a pipe (see /proc/PID/fd/1 of a child).
 * - `pipe2 + Bun.file(fd).stream()`: a real pipe made with libc, its write end
 *   handed to the child, its read end read by Bun's file reader.
 * - the same pipe grown to 1 MiB with F_SETPIPE_SZ.
 *
 * Copy only: no line cutting, no ring, no prefix. Prints the median MiB/s.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dlopen, FFIType, ptr } from "bun:ffi";

const MIB = 1024 * 1024;
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const total = option("mib", 200) * MIB;
const rounds = option("rounds", 5);

const libc = dlopen("libc.so.6", {
  fcntl: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  pipe2: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
});
const O_CLOEXEC = 0o2000000;
const F_SETPIPE_SZ = 1031;
const script = `yes ${"0".repeat(99)} | head -c ${total}`;
const dir = mkdtempSync(join(tmpdir(), "pipe-kinds-"));

async function copy(stream: ReadableStream<Uint8Array>, out: number): Promise<number> {
  const reader = stream.getReader();
  let bytes = 0;
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    bytes += next.value.length;
    for (let at = 0; at < next.value.length; ) at += writeSync(out, next.value, at);
  }
  return bytes;
}

async function once(kind: "socketpair" | "pipe" | "pipe-1MiB"): Promise<number> {
  const out = openSync(join(dir, `${kind}.log`), "w");
  const started = performance.now();
  let bytes: number;
  if (kind === "socketpair") {
    const child = Bun.spawn(["/bin/sh", "-c", script], { stdout: "pipe", stderr: "inherit" });
    bytes = await copy(child.stdout, out);
    await child.exited;
  } else {
    const fds = new Int32Array(2);
    if (libc.symbols.pipe2(ptr(fds), O_CLOEXEC) !== 0) throw new Error("pipe2 failed");
    const [read, write] = [fds[0] as number, fds[1] as number];
    if (kind === "pipe-1MiB" && libc.symbols.fcntl(read, F_SETPIPE_SZ, MIB) < 0) throw new Error("F_SETPIPE_SZ failed");
    const child = Bun.spawn(["/bin/sh", "-c", script], { stdio: ["ignore", write, "inherit"] });
    closeSync(write);
    bytes = await copy(Bun.file(read).stream(), out);
    await child.exited;
  }
  const seconds = (performance.now() - started) / 1000;
  closeSync(out);
  if (bytes !== total) throw new Error(`${kind}: copied ${bytes} of ${total} bytes`);
  return bytes / MIB / seconds;
}

const kinds = ["socketpair", "pipe", "pipe-1MiB"] as const;
const results = new Map<string, number[]>(kinds.map((kind) => [kind, []]));
for (let round = 0; round < rounds; round++) for (const kind of kinds) results.get(kind)?.push(await once(kind));
rmSync(dir, { recursive: true, force: true });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
console.log(`| child's stdout (Bun ${Bun.version}, ${total / MIB} MiB, ${rounds} rounds) | median MiB/s | min | max |`);
console.log("| --- | --- | --- | --- |");
const labels = { socketpair: 'Bun.spawn stdout "pipe" (a socketpair)', pipe: "pipe2, read by Bun.file(fd).stream()", "pipe-1MiB": "pipe2 grown to 1 MiB (F_SETPIPE_SZ)" };
for (const kind of kinds) {
  const values = results.get(kind) ?? [];
  console.log(`| ${labels[kind]} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)} | ${Math.max(...values).toFixed(0)} |`);
}
