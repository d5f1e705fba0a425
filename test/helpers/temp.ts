import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { killEverythingUnder } from "./processes.ts";

/** A fresh short temp directory (unix socket paths must stay under ~104 bytes); removed by `cleanup`. */
export function makeTempDir(prefix = "gc"): { dir: string; file(name: string, content: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    cleanup() {
      // Whatever was started with this dir as its TMPDIR or FIXTURE_DIR goes with it.
      killEverythingUnder(dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
