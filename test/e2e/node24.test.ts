import { LAUNCHERS } from "../helpers/launchers.ts";
import { defineE2ESuite } from "./suite.ts";

defineE2ESuite(LAUNCHERS.node24);
