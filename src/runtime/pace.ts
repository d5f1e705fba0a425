/**
 * One spawn per event-loop turn. Starting a process blocks the caller until
 * the child has exec'd (vfork), which takes milliseconds when the machine is
 * busy; fifty companions whose restart timers fall due together would hold
 * the loop for half a second, and a `status` request would wait that long.
 * Paced, a burst of spawns lets sockets, signals and timers in between each.
 * The next turn is a `setImmediate`, which runs after the loop has polled for
 * I/O; `setTimeout(0)` would do the same but is clamped to 1 ms, a second for
 * a thousand companions.
 */
import type { ChildHandle, SpawnOptions } from "./types.ts";

type Spawn = (options: SpawnOptions) => Promise<ChildHandle>;

/** Wraps `spawn` so that at most one spawn starts per macrotask; the others queue in order. */
export function paceSpawns(spawn: Spawn, nextTurn: (run: () => void) => void = (run) => void setImmediate(run)): Spawn {
  const queue: Array<() => void> = [];
  let pumping = false;
  const pump = (): void => {
    const next = queue.shift();
    if (next === undefined) {
      pumping = false;
      return;
    }
    next();
    nextTurn(pump);
  };
  return (options) =>
    new Promise<ChildHandle>((resolve, reject) => {
      queue.push(() => {
        try {
          spawn(options).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
      if (!pumping) {
        pumping = true;
        pump();
      }
    });
}
