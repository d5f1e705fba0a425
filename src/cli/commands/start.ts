import { createCompanionCommand } from "./companion-command.ts";

/** `start NAME`. */
export default createCompanionCommand("start");
