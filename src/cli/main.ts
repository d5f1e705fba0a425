#!/usr/bin/env -S bun --no-env-file
/**
 * The entry of every role: the master, the manager, companions, HTTP workers
 * and the ctl are all this one program started with different arguments.
 */
import { getRuntime } from "../runtime/index.ts";
import { runCli } from "./run.ts";

const runtime = await getRuntime();
const outcome = await runCli(runtime, runtime.args);
// A companion whose target returned no promise lives on while its event loop has work.
if (outcome !== "keep-running") runtime.exit(outcome);
