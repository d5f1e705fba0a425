import { describe, expect, test } from "bun:test";
import { closest, didYouMean, editDistance } from "./suggest.ts";

describe("editDistance", () => {
  test("insertions, deletions, substitutions and swaps of neighbours", () => {
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("abc", "abc")).toBe(0);
    expect(editDistance("worker", "workers")).toBe(1);
    expect(editDistance("stauts", "status")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("dealy", "delay")).toBe(1);
  });
});

describe("closest", () => {
  const settings = ["workers", "timeout", "companion_restart_delay", "companion_stop_timeout", "companion_reload_timeout"];
  test("finds a close name", () => {
    expect(closest("worker", settings)).toBe("workers");
    expect(closest("companion_restart_dealy", settings)).toBe("companion_restart_delay");
    expect(closest("stauts", ["status", "start", "stop", "restart"])).toBe("status");
    expect(closest("WORKERS", settings)).toBe("workers");
  });
  test("nothing when nothing is close, or for short words far off", () => {
    expect(closest("banana", settings)).toBeNull();
    expect(closest("x", ["ab"])).toBeNull();
    expect(closest("ab", ["cd"])).toBeNull();
    expect(closest("anything", [])).toBeNull();
  });
  test("an exact match is no suggestion; the nearest wins, ties go to the first", () => {
    expect(closest("stop", ["stop"])).toBeNull();
    expect(closest("stap", ["start", "stop"])).toBe("stop");
    expect(closest("abcd", ["abce", "abcf"])).toBe("abce");
  });
  test("didYouMean phrases it", () => {
    expect(didYouMean("worker", settings)).toBe('; did you mean "workers"?');
    expect(didYouMean("zzz", settings)).toBe("");
  });
});
