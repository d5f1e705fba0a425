// The web app, served by the master's HTTP workers: a Hono app that enqueues
// jobs and reports on them.
import { Queue } from "bullmq";
import { Hono } from "hono";
import { connect, QUEUE } from "./redis.ts";

const queue = new Queue(QUEUE, { connection: connect() });
const app = new Hono();

app.get("/health", (c) => c.text("ok"));

// POST /jobs {"id":"42"}: enqueue a job; the id makes a retried POST a no-op.
app.post("/jobs", async (c) => {
  const { id } = await c.req.json<{ id: string }>();
  await queue.add("work", { id }, { jobId: `work-${id}`, removeOnComplete: false });
  return c.json({ queued: id, pid: process.pid }, 202);
});

// GET /jobs/42: the job's state.
app.get("/jobs/:id", async (c) => {
  const job = await queue.getJob(`work-${c.req.param("id")}`);
  return job === undefined ? c.json({ error: "no such job" }, 404) : c.json({ id: c.req.param("id"), state: await job.getState() });
});

// GET /stats: what the companions have done.
app.get("/stats", async (c) => c.json(await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed")));

export default app;
