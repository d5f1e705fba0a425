// The bundled example: companions only (no HTTP app), no external services.
//   npm run example            (bun)
//   deno task example          (deno)
//   ./dist/gunicorn-companion-linux-x64 master -c examples/basic/gunicorn.conf.ts
// Then, in another terminal:  npx bun run ctl -s /tmp/gunicorn-companion-example.sock status
import { defineConfig } from "gunicorn-companion";

export default defineConfig({
  // EXAMPLE_SOCKET lets the tests run the example next to one you may be running.
  companion_control_socket: process.env.EXAMPLE_SOCKET ?? "/tmp/gunicorn-companion-example.sock",
  companion_restart_delay: 1,
  companion_startsecs: 0.5,
  companion_workers: [
    // A queue worker: drains on SIGTERM, so give it time before SIGKILL.
    { name: "worker", target: "./examples/basic/jobs.ts:worker", stop_timeout: 10 },
    // A scheduler: enqueues a job every second.
    { name: "scheduler", target: "./examples/basic/jobs.ts:scheduler", stop_timeout: 2 },
    // Something that crashes now and then, to show BACKOFF and restarts.
    { name: "flaky", target: "./examples/basic/jobs.ts:flaky", env: { CRASH_EVERY_SECS: "7" } },
  ],
});
