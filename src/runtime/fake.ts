/**
 * A fake runtime for testing the manager without processes: it records every
 * spawn and signal, and a test ends a fake child with the code or signal it
 * chooses. Nothing here touches the operating system.
 */
import type { ChildHandle, ExitStatus, Processes, SignalName, SpawnOptions } from "./types.ts";
import { SpawnError } from "./types.ts";

/** A child the test controls. */
export interface FakeChild extends ChildHandle {
  readonly options: SpawnOptions;
  readonly alive: boolean;
  /** Ends the child as if the kernel had reaped it. */
  exit(status: ExitStatus): void;
  /** Members of its process group that ignore everything but SIGKILL (they outlive the child). */
  strays: boolean;
}

/** The fake runtime and what it recorded. */
export interface FakeRuntime extends Processes {
  readonly children: FakeChild[];
  readonly signals: Array<{ pid: number; signal: SignalName | 0 }>;
  /** The next spawn fails with this message. */
  failNextSpawn(message: string): void;
  /** The live child with this pid. */
  child(pid: number): FakeChild | undefined;
}

/** Creates a fake runtime whose pids count up from `firstPid`. */
export function createFakeRuntime(firstPid = 1000): FakeRuntime {
  const children: FakeChild[] = [];
  const signals: Array<{ pid: number; signal: SignalName | 0 }> = [];
  let nextPid = firstPid;
  let failure: string | null = null;

  function createChild(options: SpawnOptions): FakeChild {
    const pid = nextPid++;
    let alive = true;
    let resolveExit: (status: ExitStatus) => void = () => {};
    const exited = new Promise<ExitStatus>((resolve) => {
      resolveExit = resolve;
    });
    const record = (signal: SignalName) => {
      signals.push({ pid, signal });
      return alive;
    };
    return {
      pid,
      options,
      exited,
      strays: false,
      get alive() {
        return alive;
      },
      exit(status) {
        if (!alive) return;
        alive = false;
        resolveExit(status);
      },
      kill: record,
      killGroup: (signal) => {
        signals.push({ pid: -pid, signal });
        return alive;
      },
      stdin: null,
      stdout: null,
      stderr: null,
    };
  }

  return {
    children,
    signals,
    failNextSpawn(message) {
      failure = message;
    },
    child: (pid) => children.find((c) => c.pid === pid && c.alive),
    async spawn(options) {
      if (failure !== null) {
        const message = failure;
        failure = null;
        throw new SpawnError(message, options.argv);
      }
      const child = createChild(options);
      children.push(child);
      return child;
    },
    kill(pid, signal) {
      signals.push({ pid, signal });
      const target = children.find((c) => c.pid === Math.abs(pid));
      if (target === undefined) return false;
      if (pid < 0 && signal === "SIGKILL") target.strays = false;
      return target.alive || (pid < 0 && target.strays);
    },
  };
}
