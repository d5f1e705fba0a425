import { createCompanionCommand } from "./companion-command.ts";

/** `restart NAME`. */
export default createCompanionCommand("restart");
