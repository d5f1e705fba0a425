// A real deployment: a Hono app on the master's workers, a BullMQ worker and a
// scheduler as companions, all on one Redis.
//   redis-server &                    (or REDIS_URL=redis://host:port)
//   npx bun run master -c examples/queue/gunicorn.conf.ts
//   curl -X POST localhost:8000/jobs -H 'content-type: application/json' -d '{"id":"1"}'
//   curl localhost:8000/stats
//   npx bun run ctl -s /tmp/gunicorn-companion-queue.sock status
import { defineConfig } from "gunicorn-companion";

export default defineConfig({
  app: "./examples/queue/app.ts",
  bind: [`127.0.0.1:${process.env.PORT ?? 8000}`],
  workers: 2,
  graceful_timeout: 10,
  companion_control_socket: process.env.QUEUE_SOCKET ?? "/tmp/gunicorn-companion-queue.sock",
  companion_startsecs: 1,
  companion_restart_delay: 1,
  companion_workers: [
    // SIGTERM makes BullMQ finish the jobs in hand; give it longer than the longest job.
    { name: "worker", target: "./examples/queue/worker.ts:run", stop_signal: "SIGTERM", stop_timeout: 30, reload_timeout: 30 },
    { name: "scheduler", target: "./examples/queue/scheduler.ts:run", stop_timeout: 5 },
  ],
});
