import { describe, expect, test } from "bun:test";
import type { Stats } from "node:fs";
import { dirname, parseOwner, trustedOwners, untrustedModuleReason, untrustedSocketReason } from "./trust.ts";

const PASSWD = "root:x:0:0:root:/root:/bin/bash\nsvc:x:999:999::/srv:/usr/sbin/nologin\nmallory:x:1001:1001::/home/mallory:/bin/sh\n";

/** The parts of an lstat result the checks read. */
function stats(kind: "socket" | "symlink" | "file", uid: number, mode = 0o600): Stats {
  return { uid, mode, isSocket: () => kind === "socket", isSymbolicLink: () => kind === "symlink", isDirectory: () => false } as Stats;
}
const dir = (uid: number, mode: number) => ({ uid, mode });

describe("whom the ctl trusts", () => {
  test("the directory of a path, as node:path gives it", () => {
    for (const [path, dir] of [["/run/app/c.sock", "/run/app"], ["/c.sock", "/"], ["c.sock", "."], ["run/c.sock", "run"], ["/run/app/", "/run"], ["/", "/"]]) expect(dirname(path as string)).toBe(dir as string);
  });

  test("--trust-owner takes a name or a uid; an unknown name is a usage error", () => {
    expect(parseOwner("svc", PASSWD)).toBe(999);
    expect(parseOwner("4242", PASSWD)).toBe(4242);
    expect(() => parseOwner("nobody-here", PASSWD)).toThrow("--trust-owner nobody-here: no such user");
    expect([...trustedOwners(1000, undefined, PASSWD)]).toEqual([
      [0, "root"],
      [1000, "you"],
    ]);
    expect(trustedOwners(1000, "svc", PASSWD).get(999)).toBe("--trust-owner");
  });

  test("a socket of ours, root's or a trusted user's in a safe directory is fine", () => {
    const trusted = new Map([...trustedOwners(1000, undefined, PASSWD), [999, "the owner of /etc/app.json"]]);
    for (const uid of [0, 1000, 999]) expect(untrustedSocketReason("/run/app/c.sock", stats("socket", uid), dir(0, 0o755), trusted, PASSWD)).toBeNull();
    expect(untrustedSocketReason("/tmp/c.sock", stats("socket", 1000), dir(0, 0o1777), trusted, PASSWD)).toBeNull();
  });

  test("a socket of another user is refused, naming the path, its owner, the trusted and the override", () => {
    const trusted = new Map([...trustedOwners(1000, undefined, PASSWD), [999, "the owner of /etc/app.json"]]);
    expect(untrustedSocketReason("/tmp/c.sock", stats("socket", 1001), dir(0, 0o1777), trusted, PASSWD)).toBe(
      "refusing to talk to the control socket /tmp/c.sock: it belongs to uid 1001 (mallory), not to root, you (uid 1000) or the owner of /etc/app.json (uid 999 (svc)); pass --trust-owner mallory if you trust that user",
    );
    expect(untrustedSocketReason("/tmp/c.sock", stats("socket", 4242), dir(0, 0o1777), trusted, PASSWD)).toContain("pass --trust-owner 4242 if");
  });

  test("anything but a socket is refused; so is a directory another user owns or anyone can write without the sticky bit", () => {
    const trusted = trustedOwners(1000, undefined, PASSWD);
    expect(untrustedSocketReason("/tmp/c.sock", stats("symlink", 1000), dir(0, 0o1777), trusted, PASSWD)).toBe("refusing to use the control socket /tmp/c.sock: it is a symbolic link");
    expect(untrustedSocketReason("/tmp/c.sock", stats("file", 1000), dir(0, 0o1777), trusted, PASSWD)).toContain("it is not a socket");
    expect(untrustedSocketReason("/home/mallory/c.sock", stats("socket", 1000), dir(1001, 0o755), trusted, PASSWD)).toBe(
      "refusing to talk to the control socket /home/mallory/c.sock: its directory /home/mallory belongs to uid 1001 (mallory), who could have put it there; pass --trust-owner mallory if you trust that user",
    );
    expect(untrustedSocketReason("/srv/open/c.sock", stats("socket", 1000), dir(0, 0o777), trusted, PASSWD)).toContain("its directory /srv/open (mode 0777) can be written by other users and has no sticky bit");
  });

  test("a config module runs only when it is trusted, no one else can write it, nor replace it in its directory", () => {
    const trusted = trustedOwners(0, undefined, PASSWD);
    expect(untrustedModuleReason("/etc/app/conf.ts", dir(0, 0o644), dir(0, 0o755), trusted, PASSWD)).toBeNull();
    expect(untrustedModuleReason("/srv/conf.ts", dir(999, 0o644), dir(999, 0o755), trusted, PASSWD)).toBe(
      "refusing to run the config module /srv/conf.ts to find the control socket: it belongs to uid 999 (svc); pass -s SOCKET, or --trust-owner svc if you trust that user (its code would run as you)",
    );
    expect(untrustedModuleReason("/srv/conf.ts", dir(999, 0o644), dir(999, 0o755), trustedOwners(0, "svc", PASSWD), PASSWD)).toBeNull();
    expect(untrustedModuleReason("/etc/conf.ts", dir(0, 0o664), dir(0, 0o755), trusted, PASSWD)).toContain("other users can write it (mode 0664)");
    expect(untrustedModuleReason("/home/svc/conf.ts", dir(0, 0o644), dir(999, 0o755), trusted, PASSWD)).toContain("its directory /home/svc belongs to uid 999 (svc); pass -s SOCKET, or --trust-owner svc");
  });
});
