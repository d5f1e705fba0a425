import { describe, expect, test } from "bun:test";
import { createFakeClock } from "./clock.ts";
import { stopWithin } from "./stop-within.ts";
import { withTimeout } from "./timeout.ts";

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function target() {
  const sent: string[] = [];
  let exit: () => void = () => {};
  const gone = new Promise<void>((resolve) => (exit = resolve));
  return { sent, gone, exit: () => exit(), signal: () => sent.push("TERM"), kill: () => sent.push("KILL") };
}

describe("stop within a deadline", () => {
  test("the stop signal at once; no SIGKILL when it is gone in time", async () => {
    const clock = createFakeClock();
    const t = target();
    const stopping = stopWithin({ clock, signal: t.signal, kill: t.kill, gone: t.gone, timeoutMs: 1000 });
    expect(t.sent).toEqual(["TERM"]);
    clock.advance(999);
    t.exit();
    expect(await stopping.done).toEqual({ killed: false });
    clock.advance(10_000);
    expect(t.sent).toEqual(["TERM"]);
    expect(clock.pendingCount()).toBe(0);
  });

  test("SIGKILL once the deadline passes, reported once", async () => {
    const clock = createFakeClock();
    const t = target();
    let kills = 0;
    const stopping = stopWithin({ clock, signal: t.signal, kill: t.kill, gone: t.gone, timeoutMs: 1000, onKill: () => kills++ });
    clock.advance(1000);
    expect(t.sent).toEqual(["TERM", "KILL"]);
    stopping.hurry(0);
    t.exit();
    expect(await stopping.done).toEqual({ killed: true });
    expect(kills).toBe(1);
  });

  test("hurry only ever brings SIGKILL closer; 0 kills now; Infinity never kills", async () => {
    const clock = createFakeClock();
    const t = target();
    const stopping = stopWithin({ clock, signal: t.signal, kill: t.kill, gone: t.gone, timeoutMs: 60_000 });
    clock.advance(100);
    stopping.hurry(1000);
    stopping.hurry(5000);
    clock.advance(1000);
    expect(t.sent).toEqual(["TERM", "KILL"]);
    const patient = target();
    const forever = stopWithin({ clock, signal: patient.signal, kill: patient.kill, gone: patient.gone, timeoutMs: Number.POSITIVE_INFINITY });
    clock.advance(1e12);
    expect(patient.sent).toEqual(["TERM"]);
    forever.hurry(0);
    expect(patient.sent).toEqual(["TERM", "KILL"]);
  });

  test("a 0 timeout still sends the stop signal first, SIGKILL on the next tick", () => {
    const clock = createFakeClock();
    const t = target();
    stopWithin({ clock, signal: t.signal, kill: t.kill, gone: t.gone, timeoutMs: 0 });
    expect(t.sent).toEqual(["TERM"]);
    clock.advance(0);
    expect(t.sent).toEqual(["TERM", "KILL"]);
  });
});

describe("withTimeout", () => {
  test("the work's value when it settles first, and the timer is cleared", async () => {
    const clock = createFakeClock();
    expect(await withTimeout(Promise.resolve(1), 1000, clock, () => "late")).toBe(1);
    expect(clock.pendingCount()).toBe(0);
  });

  test("onTimeout's value, or its error, when the clock gets there first", async () => {
    const clock = createFakeClock();
    const never = new Promise<number>(() => {});
    const value = withTimeout(never, 1000, clock, () => "late");
    clock.advance(1000);
    expect(await value).toBe("late");
    const rejected = withTimeout(never, 10, clock, () => {
      throw new Error("too slow");
    });
    clock.advance(10);
    await settle();
    expect(rejected).rejects.toThrow("too slow");
  });
});
