/**
 * Reads one small file under /proc. Deno refuses /proc/PID files to any
 * process without --allow-all, whatever --allow-read says; there the file is
 * read by `cat` (--allow-run), which costs a process start: callers read
 * single files this way (a start time as proof of identity), never all of
 * /proc. Null when the file cannot be read (no such process, no /proc).
 */
import { readFileSync } from "node:fs";

interface DenoCommand {
  Command: new (program: string, options: { args: string[]; stdout: "piped"; stderr: "null" }) => { outputSync(): { success: boolean; stdout: Uint8Array } };
}

export function readProcFile(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const deno = (globalThis as unknown as { Deno?: DenoCommand }).Deno;
    if (deno === undefined || (error as { name?: string }).name !== "NotCapable") return null;
    try {
      const output = new deno.Command("cat", { args: [path], stdout: "piped", stderr: "null" }).outputSync();
      return output.success ? new TextDecoder().decode(output.stdout) : null;
    } catch {
      return null;
    }
  }
}
