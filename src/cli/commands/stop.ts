import { createCompanionCommand } from "./companion-command.ts";

/** `stop NAME`. */
export default createCompanionCommand("stop");
