/**
 * A full garbage collection on V8 (Node, Deno), which expose none to a
 * program started without `--expose-gc`: the flag is set at run time and
 * the `gc` function taken from a fresh context. Loaded only when first asked
 * for (node:v8 and node:vm cost start-up time every ctl call would pay).
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | null | undefined;

/** Collects garbage now; nothing where the runtime refuses the flag. */
export function collectGarbageV8(): void {
  if (gc === undefined) {
    try {
      setFlagsFromString("--expose-gc");
      const found: unknown = runInNewContext("gc");
      gc = typeof found === "function" ? (found as () => void) : null;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
