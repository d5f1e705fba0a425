// Companion targets for the bundled example. Each is a function the companion
// process calls; it runs while the returned promise is pending.
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const QUEUE = join(tmpdir(), "gunicorn-companion-example.queue");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for SIGTERM; resolves so the process can finish what it was doing. */
function stopSignal(): { stopped: boolean; promise: Promise<void> } {
  const state = { stopped: false, promise: Promise.resolve() };
  state.promise = new Promise((resolve) =>
    process.once("SIGTERM", () => {
      state.stopped = true;
      resolve();
    }),
  );
  return state;
}

/** Takes the queued jobs out of the queue file, atomically. */
function takeJobs(): string[] {
  if (!existsSync(QUEUE)) return [];
  const taken = `${QUEUE}.${process.pid}`;
  renameSync(QUEUE, taken);
  const jobs = readFileSync(taken, "utf8").split("\n").filter(Boolean);
  writeFileSync(taken, "");
  return jobs;
}

/** A queue worker: processes jobs until SIGTERM, then finishes the job in hand and exits 0. */
export async function worker(): Promise<void> {
  const stop = stopSignal();
  console.log(`[worker ${process.pid}] waiting for jobs`);
  while (!stop.stopped) {
    for (const job of takeJobs()) {
      await sleep(200); // the work
      console.log(`[worker ${process.pid}] done: ${job}`);
    }
    await Promise.race([sleep(500), stop.promise]);
  }
  console.log(`[worker ${process.pid}] drained, bye`);
}

/** A scheduler: enqueues a job every second. */
export async function scheduler(): Promise<void> {
  const stop = stopSignal();
  let n = 0;
  while (!stop.stopped) {
    n += 1;
    appendFileSync(QUEUE, `job ${n} from scheduler ${process.pid}\n`);
    await Promise.race([sleep(1000), stop.promise]);
  }
}

/** Crashes every CRASH_EVERY_SECS seconds, to show BACKOFF and the restart that follows. */
export async function flaky(): Promise<void> {
  const seconds = Number(process.env.CRASH_EVERY_SECS ?? 7);
  console.log(`[flaky ${process.pid}] up; crashing in ${seconds}s`);
  await sleep(seconds * 1000);
  throw new Error("flaky crashed on purpose");
}
