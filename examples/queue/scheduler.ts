// A scheduler, run as a companion: enqueues a "tick" job every second (croner).
// One instance only: the manager never runs a companion twice.
import { Queue } from "bullmq";
import { Cron } from "croner";
import { connect, QUEUE } from "./redis.ts";

export async function run(): Promise<void> {
  const queue = new Queue(QUEUE, { connection: connect() });
  const cron = new Cron("* * * * * *", async () => {
    await queue.add("tick", { at: new Date().toISOString() }, { removeOnComplete: true });
  });
  console.log(`[scheduler ${process.pid}] enqueues a tick every second`);
  await new Promise((resolve) => process.once("SIGTERM", resolve));
  cron.stop();
  await queue.close();
}
