// A BullMQ worker, run as a companion. On SIGTERM it stops taking jobs,
// finishes the ones in hand (BullMQ's graceful close), and exits 0: give it a
// stop_timeout longer than the longest job.
import { Worker } from "bullmq";
import { connect, QUEUE } from "./redis.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function run(): Promise<void> {
  const store = connect();
  const worker = new Worker(
    QUEUE,
    async (job) => {
      // The work: 50 ms, then a record of it (the tests count these: every job exactly once).
      await sleep(Number(process.env.JOB_MS ?? 50));
      if (job.name === "work") await store.hincrby("done", String(job.data.id), 1);
      else await store.incr("ticks");
      return { by: process.pid };
    },
    { connection: connect(), concurrency: 4 },
  );
  await worker.waitUntilReady();
  console.log(`[worker ${process.pid}] ready`);
  await new Promise((resolve) => process.once("SIGTERM", resolve));
  console.log(`[worker ${process.pid}] SIGTERM: finishing the jobs in hand`);
  await worker.close();
  store.disconnect();
  console.log(`[worker ${process.pid}] drained`);
}
