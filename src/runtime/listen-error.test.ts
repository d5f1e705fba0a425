import { expect, test } from "bun:test";
import { listenError } from "./listen-error.ts";

test("a failed listen names the address and the reason, whatever the runtime said", () => {
  const bun = Object.assign(new Error("Failed to start server. Is port 8000 in use?"), { code: "EADDRINUSE" });
  expect(listenError({ kind: "tcp", host: "127.0.0.1", port: 8000 }, bun).message).toBe("cannot listen on 127.0.0.1:8000: address already in use");
  expect(listenError({ kind: "tcp", host: "::1", port: 80 }, { code: "EACCES" }).message).toBe("cannot listen on [::1]:80: permission denied");
  expect(listenError({ kind: "unix", path: "/run/x.sock" }, { code: "ENOENT" }).message).toBe("cannot listen on unix:/run/x.sock: no such directory");
  // A code without words here stays as it is; no code at all keeps the runtime's message.
  const odd = listenError({ kind: "tcp", host: "0.0.0.0", port: 1 }, { code: "EWEIRD" });
  expect([odd.message, (odd as { code?: string }).code]).toEqual(["cannot listen on 0.0.0.0:1: EWEIRD", "EWEIRD"]);
  expect(listenError({ kind: "fd", fd: 3 }, new Error("bad fd")).message).toBe("cannot listen on inherited fd 3: bad fd");
});
