import { describe, expect, test } from "bun:test";
import { resolveName, resolveNames, type Member } from "./names.ts";

const members: Member[] = [
  { name: "web", group: "web" },
  { name: "rq:0", group: "rq" },
  { name: "rq:1", group: "rq" },
  { name: "mailer", group: "mailer" },
];

describe("resolveName", () => {
  test("a member's own name is one record", () => {
    expect(resolveName("web", members)).toEqual({ ok: true, names: ["web"], several: false });
    expect(resolveName("rq:1", members)).toEqual({ ok: true, names: ["rq:1"], several: false });
  });
  test("a group names its members; one of one is not several", () => {
    expect(resolveName("rq", members)).toEqual({ ok: true, names: ["rq:0", "rq:1"], several: true });
    expect(resolveName("rq:*", members)).toEqual({ ok: true, names: ["rq:0", "rq:1"], several: true });
    expect(resolveName("solo", [{ name: "solo:0", group: "solo" }])).toEqual({ ok: true, names: ["solo:0"], several: false });
  });
  test("all is every member, always several", () => {
    expect(resolveName("all", members)).toEqual({ ok: true, names: ["web", "rq:0", "rq:1", "mailer"], several: true });
    expect(resolveName("all", [members[0] as Member])).toEqual({ ok: true, names: ["web"], several: true });
    expect(resolveName("all", [])).toEqual({ ok: true, names: [], several: true });
  });
  test("unknown names are errors, with a hint when one is close", () => {
    expect(resolveName("nobody", members)).toEqual({ ok: false, error: 'unknown companion "nobody"' });
    expect(resolveName("mailr", members)).toEqual({ ok: false, error: 'unknown companion "mailr"; did you mean "mailer"?' });
    expect(resolveName("rq:7", members)).toMatchObject({ ok: false, error: expect.stringContaining('unknown companion "rq:7"') });
  });
});

describe("resolveNames (status)", () => {
  test("none given: every member", () => {
    expect(resolveNames(undefined, members)).toMatchObject({ ok: true, names: ["web", "rq:0", "rq:1", "mailer"] });
    expect(resolveNames([], members)).toMatchObject({ ok: true, names: ["web", "rq:0", "rq:1", "mailer"] });
  });
  test("groups expand; each member once, in the order asked", () => {
    expect(resolveNames(["mailer", "rq", "rq:0"], members)).toEqual({ ok: true, names: ["mailer", "rq:0", "rq:1"], several: true });
    expect(resolveNames(["web"], members)).toEqual({ ok: true, names: ["web"], several: false });
  });
  test("every unknown name is listed, each with its hint", () => {
    expect(resolveNames(["web", "nobody"], members)).toEqual({ ok: false, error: 'unknown companion "nobody"' });
    expect(resolveNames(["wbe", "zzz"], members)).toEqual({ ok: false, error: 'unknown companions "wbe" (did you mean "web"?), "zzz"' });
  });
});
