import { describe, expect, test } from "bun:test";
import { quoteSystemdArg, renderSystemdUnit, stopTimeoutSecs } from "./systemd-unit.ts";

const base = {
  execStart: ["/usr/local/bin/gunicorn-companion", "master", "-c", "/srv/app/gunicorn.conf.ts"],
  configFile: "/srv/app/gunicorn.conf.ts",
  workingDirectory: "/srv/app",
  user: null,
  gracefulTimeout: 30,
  managerStopTimeout: 70,
  version: "gunicorn-companion 0.1.0",
};

describe("systemd unit", () => {
  test("the settings systemd needs, from the config", () => {
    const unit = renderSystemdUnit({ ...base, user: "app" });
    expect(unit).toContain("\nExecStart=/usr/local/bin/gunicorn-companion master -c /srv/app/gunicorn.conf.ts\n");
    expect(unit).toContain("\nExecReload=/bin/kill -HUP $MAINPID\n");
    expect(unit).toContain("\nKillSignal=SIGTERM\n");
    expect(unit).toContain("\nKillMode=mixed\n");
    expect(unit).toContain("\nTimeoutStopSec=85\n");
    expect(unit).toContain("\nRestart=on-failure\n");
    expect(unit).toContain("\nWorkingDirectory=/srv/app\n");
    expect(unit).toContain("\nUser=app\n");
    expect(unit).toContain("\n[Install]\nWantedBy=multi-user.target\n");
  });

  test("no User= without --user", () => {
    expect(renderSystemdUnit(base)).not.toContain("User=");
  });

  test("a source run: the runtime and the entry, with their flags", () => {
    const unit = renderSystemdUnit({ ...base, execStart: ["/usr/bin/deno", "run", "--allow-read", "/app/src/cli/main.ts", "master", "-c", "/srv/my app/c.ts"] });
    expect(unit).toContain('\nExecStart=/usr/bin/deno run --allow-read /app/src/cli/main.ts master -c "/srv/my app/c.ts"\n');
  });

  test.each([
    [30, 70, 85],
    [90, 10, 105],
    [0.5, 0, 16],
  ])("TimeoutStopSec for graceful %p and manager %p is %p", (graceful, manager, expected) => {
    expect(stopTimeoutSecs(graceful, manager)).toBe(expected);
  });

  test.each([
    ["/usr/bin/x", "/usr/bin/x"],
    ["a b", '"a b"'],
    ["$HOME", "$$HOME"],
    ["50%", "50%%"],
    ['say "hi"', '"say \\"hi\\""'],
  ])("%p is written %p", (arg, quoted) => {
    expect(quoteSystemdArg(arg)).toBe(quoted);
  });
});
