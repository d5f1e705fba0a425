/** Prints a line every few seconds until SIGTERM, then exits 0. */
export async function heartbeat() {
  const timer = setInterval(() => console.log(`[heartbeat ${process.pid}] alive`), 5000);
  console.log(`[heartbeat ${process.pid}] up`);
  await new Promise((resolve) => process.once("SIGTERM", resolve));
  clearInterval(timer);
}
