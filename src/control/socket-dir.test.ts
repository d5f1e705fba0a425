import { expect, test } from "bun:test";
import { describeOwner, foreignSocketReason, unsafeDirectoryReason } from "./socket-dir.ts";

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nsvc:x:1000:1000::/home/svc:/bin/sh\ngcsecond:x:1001:1001::/home/gcsecond:/bin/sh\n";
const dir = (uid: number, mode: number) => ({ uid, mode: 0o040000 | mode });

test("owners are named from passwd, or by uid alone", () => {
  expect(describeOwner(1001, PASSWD)).toBe("uid 1001 (gcsecond)");
  expect(describeOwner(4242, PASSWD)).toBe("uid 4242");
  expect(describeOwner(0, null)).toBe("uid 0");
});

test("safe directories: ours, root's, and sticky ones anyone can write", () => {
  expect(unsafeDirectoryReason("/run/svc", dir(1000, 0o755), 1000, PASSWD)).toBeNull();
  expect(unsafeDirectoryReason("/run", dir(0, 0o755), 1000, PASSWD)).toBeNull();
  expect(unsafeDirectoryReason("/tmp", dir(0, 0o1777), 1000, PASSWD)).toBeNull();
  expect(unsafeDirectoryReason("/srv/x", dir(1000, 0o700), 1000, PASSWD)).toBeNull();
  expect(unsafeDirectoryReason("/x", dir(1001, 0o777), null, PASSWD)).toBeNull();
});

test("a directory of another user is refused, naming it, its owner and mode", () => {
  expect(unsafeDirectoryReason("/home/gcsecond/run", dir(1001, 0o755), 1000, PASSWD)).toBe(
    "control socket directory /home/gcsecond/run is owned by another user (uid 1001 (gcsecond), mode 0755); refusing to create the socket there",
  );
  expect(unsafeDirectoryReason("/home/gcsecond/run", dir(1001, 0o1777), 0, PASSWD)).toContain("owned by another user");
});

test("a directory others can write without the sticky bit is refused", () => {
  expect(unsafeDirectoryReason("/srv/shared", dir(0, 0o777), 1000, PASSWD)).toBe(
    "control socket directory /srv/shared (owner uid 0 (root), mode 0777) can be written by other users and has no sticky bit; refusing to create the socket there",
  );
  expect(unsafeDirectoryReason("/srv/group", dir(1000, 0o775), 1000, PASSWD)).toContain("mode 0775");
  expect(unsafeDirectoryReason("/srv/group", dir(1000, 0o1775), 1000, PASSWD)).toBeNull();
});

test("a socket of another user at the path is never ours", () => {
  expect(foreignSocketReason("/tmp/c.sock", { uid: 1000, mode: 0o140600 }, 1000, PASSWD)).toBeNull();
  expect(foreignSocketReason("/tmp/c.sock", { uid: 1001, mode: 0o140777 }, 0, PASSWD)).toBe(
    "control socket path /tmp/c.sock is taken by a socket of another user (uid 1001 (gcsecond)); refusing to use or replace it: remove it or choose another companion_control_socket",
  );
  expect(foreignSocketReason("/tmp/c.sock", { uid: 1001, mode: 0o140777 }, null, PASSWD)).toBeNull();
});
