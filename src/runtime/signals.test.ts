import { describe, expect, test } from "bun:test";
import { parseSignal, signalNumber } from "./signals.ts";

describe("parseSignal", () => {
  test("names with or without SIG, any case", () => {
    expect(parseSignal("HUP")).toBe("SIGHUP");
    expect(parseSignal("SIGUSR2")).toBe("SIGUSR2");
    expect(parseSignal("term")).toBe("SIGTERM");
  });
  test("numbers of this platform", () => {
    expect(parseSignal(1, "linux")).toBe("SIGHUP");
    expect(parseSignal("10", "linux")).toBe("SIGUSR1");
    expect(parseSignal(30, "darwin")).toBe("SIGUSR1");
    expect(parseSignal(signalNumber("SIGTERM"))).toBe("SIGTERM");
  });
  test("anything else is null", () => {
    expect(parseSignal("SIGFOO")).toBeNull();
    expect(parseSignal("")).toBeNull();
    expect(parseSignal(99)).toBeNull();
    expect(parseSignal("1.5")).toBeNull();
  });
});
