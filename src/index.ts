/**
 * The public API of gunicorn-companion for TypeScript configs:
 *
 * @example
 * // gunicorn.conf.ts
 * import { defineConfig } from "gunicorn-companion";
 * export default defineConfig({
 *   companion_control_socket: "/run/app/companion.sock",
 *   companion_workers: [{ name: "worker", target: "./jobs/worker.ts:run", stop_timeout: 30 }],
 * });
 */
export { defineCompanion, defineConfig, type CompanionSpec, type Config } from "./config/define.ts";
