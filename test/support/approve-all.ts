import type { ToolContext } from "../../src/tools/index.js";

/** The approval of a test about a tool's own behaviour, not the decision: everything runs. */
export const approveAll: ToolContext["approve"] = async () => ({ approved: true });
