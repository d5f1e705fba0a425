import { defineCommand } from "citty";
import { getRuntime } from "../../runtime/index.ts";
import { UsageError } from "../../errors.ts";

/** Hidden: one HTTP worker, started by the master. */
export default defineCommand({
  meta: { name: "worker", description: "(internal) run one HTTP worker", hidden: true },
  args: {
    "state-dir": { type: "string" },
    generation: { type: "string" },
    id: { type: "string" },
    unix: { type: "boolean" },
  },
  async run({ args }): Promise<number> {
    const stateDir = args["state-dir"];
    if (!stateDir || args.generation === undefined || args.id === undefined) throw new UsageError("worker needs --state-dir, --generation and --id");
    const { runWorker } = await import("../../roles/http-worker.ts");
    return runWorker(await getRuntime(), { stateDir, generation: Number(args.generation), id: Number(args.id), unix: args.unix === true });
  },
});
