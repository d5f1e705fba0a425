/**
 * install.sh against dist/ served over HTTP on 127.0.0.1: it installs the
 * binary that runs, refuses a download whose checksum does not match (leaving
 * what was installed as it was), refuses an unsupported OS or architecture
 * before downloading anything, and works with wget as with curl.
 * dist/ is built by the test runner (npm test) before the tests run.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { BINARY, ROOT } from "../helpers/launchers.ts";
import { makeTempDir } from "../helpers/temp.ts";

const SCRIPT = join(ROOT, "install.sh");
const ASSET = basename(BINARY);
const SHELL = Bun.which("dash") ?? "sh";
const CURL = Bun.which("curl");
const WGET = Bun.which("wget");
const DOWNLOADER = CURL ?? WGET;
if (!DOWNLOADER) console.warn("test/dist/install.test.ts: skipped, install.sh needs curl or wget and neither is installed");

const tmp = makeTempDir("gcinst");
/** Paths asked of the server, to show that a refused platform downloads nothing. */
const requests: string[] = [];
let server: ReturnType<typeof Bun.serve> | null = null;
let base = "";

beforeAll(() => {
  if (!existsSync(BINARY) || !existsSync(join(ROOT, "dist/SHA256SUMS"))) throw new Error(`${BINARY} or dist/SHA256SUMS is missing: run bun build/compile.ts first`);
  const sums = readFileSync(join(ROOT, "dist/SHA256SUMS"), "utf8");
  const tampered = sums.replace(new RegExp(`^[0-9a-f]{64}(?=  ${ASSET}$)`, "m"), "0".repeat(64));
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(request) {
      const { pathname } = new URL(request.url);
      requests.push(pathname);
      // /good/<file> serves dist/; /tampered/ serves the same binary with a SHA256SUMS that does not match it.
      const match = /^\/(good|tampered)\/([\w.-]+)$/.exec(pathname);
      if (!match) return new Response("not found", { status: 404 });
      const [, set, name] = match as unknown as [string, string, string];
      if (set === "tampered" && name === "SHA256SUMS") return new Response(tampered);
      const path = join(ROOT, "dist", name);
      return existsSync(path) ? new Response(Bun.file(path)) : new Response("not found", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => {
  server?.stop(true);
  tmp.cleanup();
});

type Run = { code: number; stdout: string; stderr: string };

/** Runs install.sh (under dash when installed) with a fresh install dir unless one is given. */
async function install(options: { set?: string; dir?: string; path?: string } = {}): Promise<Run & { dir: string }> {
  const dir = options.dir ?? join(makeSubdir("home"), ".local/bin");
  const proc = Bun.spawn([SHELL, SCRIPT], {
    cwd: tmp.dir,
    env: {
      PATH: options.path ?? process.env.PATH ?? "/usr/bin:/bin",
      HOME: tmp.dir,
      TMPDIR: tmp.dir,
      GUNICORN_COMPANION_DOWNLOAD_URL: `${base}/${options.set ?? "good"}`,
      GUNICORN_COMPANION_INSTALL_DIR: dir,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, dir };
}

let counter = 0;
function makeSubdir(prefix: string): string {
  counter += 1;
  return tmp.file(`${prefix}${counter}/.keep`, "").replace(/\/\.keep$/, "");
}

/** An install dir that already holds a gunicorn-companion (a file reading "old"). */
function preinstalled(): string {
  const dir = join(makeSubdir("prefix"), "bin");
  mkdirSync(dir);
  writeFileSync(join(dir, "gunicorn-companion"), "old\n", { mode: 0o755 });
  return dir;
}

/** A directory to put first on PATH with a `uname` that reports the given system and machine. */
function unameShim(system: string, machine: string): string {
  const dir = makeSubdir("shim");
  writeFileSync(join(dir, "uname"), `#!/bin/sh\ncase "$1" in -s) echo ${system} ;; -m) echo ${machine} ;; *) echo ${system} ;; esac\n`, { mode: 0o755 });
  return dir;
}

/** A PATH holding only the tools install.sh uses, with the downloaders given (none, or wget alone). */
function restrictedPath(downloaders: string[]): string {
  const dir = makeSubdir("bin");
  for (const tool of ["uname", "mktemp", "rm", "mkdir", "cp", "chmod", "mv", "awk", "tail", "cat", "sha256sum", "shasum", ...downloaders]) {
    const found = Bun.which(tool);
    if (found) symlinkSync(found, join(dir, tool));
  }
  return dir;
}

describe.skipIf(!DOWNLOADER)(`install.sh (with ${DOWNLOADER ? basename(DOWNLOADER) : "curl or wget: neither is installed"})`, () => {
  test("installs gunicorn-companion 0755 into GUNICORN_COMPANION_INSTALL_DIR; it runs --version; a PATH hint when the dir is not on PATH", async () => {
    const result = await install();
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const installed = join(result.dir, "gunicorn-companion");
    expect(readdirSync(result.dir)).toEqual(["gunicorn-companion"]);
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    const version = Bun.spawnSync([installed, "--version"]);
    expect(version.exitCode).toBe(0);
    expect(version.stdout.toString()).toMatch(/^gunicorn-companion \d+\.\d+\.\d+ \(bun [\d.]+ compiled, /);
    expect(result.stdout).toContain(`installed ${version.stdout.toString().trim()}\n`);
    expect(result.stdout).toContain(`${result.dir} is not on your PATH`);
  }, 60_000);

  test("replaces an installed binary; no PATH hint when the dir is on PATH", async () => {
    const dir = preinstalled();
    const result = await install({ dir, path: `${dir}:${process.env.PATH}` });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("is not on your PATH");
    expect(readdirSync(dir)).toEqual(["gunicorn-companion"]);
    expect(Bun.spawnSync([join(dir, "gunicorn-companion"), "--version"]).exitCode).toBe(0);
  }, 60_000);

  test("a checksum mismatch is refused, naming the file, and nothing is installed or replaced", async () => {
    const fresh = await install({ set: "tampered" });
    expect(fresh.code).not.toBe(0);
    expect(fresh.stderr).toBe(`install.sh: error: checksum mismatch for ${ASSET}: expected ${"0".repeat(64)}, got ${new Bun.CryptoHasher("sha256").update(readFileSync(BINARY)).digest("hex")}; nothing was installed\n`);
    expect(existsSync(fresh.dir)).toBe(false);

    const dir = preinstalled();
    const over = await install({ set: "tampered", dir });
    expect(over.code).not.toBe(0);
    expect(readdirSync(dir)).toEqual(["gunicorn-companion"]);
    expect(readFileSync(join(dir, "gunicorn-companion"), "utf8")).toBe("old\n");
  }, 60_000);

  test("an unsupported architecture or OS is refused before anything is downloaded", async () => {
    requests.length = 0;
    const arch = await install({ path: `${unameShim("Linux", "riscv64")}:${process.env.PATH}` });
    expect(arch.code).not.toBe(0);
    expect(arch.stderr).toBe("install.sh: error: unsupported architecture: riscv64 (binaries exist for x64 and arm64)\n");
    const os = await install({ path: `${unameShim("FreeBSD", "amd64")}:${process.env.PATH}` });
    expect(os.code).not.toBe(0);
    expect(os.stderr).toBe("install.sh: error: unsupported operating system: FreeBSD (binaries exist for Linux and macOS)\n");
    expect(requests).toEqual([]);
    expect(existsSync(arch.dir) || existsSync(os.dir)).toBe(false);
  });

  test("no curl and no wget: a one-line error", async () => {
    const result = await install({ path: restrictedPath([]) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toBe("install.sh: error: neither curl nor wget is installed: install one of them and run this again\n");
    expect(existsSync(result.dir)).toBe(false);
  });

  test.skipIf(!WGET)(`installs with wget when curl is absent${WGET ? "" : " (skipped: wget is not installed)"}`, async () => {
    const result = await install({ path: restrictedPath(["wget"]) });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(Bun.spawnSync([join(result.dir, "gunicorn-companion"), "--version"]).exitCode).toBe(0);
  }, 60_000);
});
