import { replyReserve, type ContextGuard } from "../context/context.js";
import { DIRECT_BUDGET_SHARE, type McpHub, type PrepareOptions } from "../extend/mcp/hub.js";

/**
 * The MCP servers around a request: they start at the first one beside the loading of the loop
 * (starting needs neither the model nor its window, so a server costs what its process costs), and
 * the direct/gateway budget, about a tenth of the usable window, is set once the window is known.
 */

type Turn = Pick<PrepareOptions, "signal" | "approve" | "notify">;

/** Start the servers (asking about a project's) before the budget is known; nothing when there are none. */
export function beginMcp(mcp: McpHub | undefined, turn: Turn): Promise<void> {
  return mcp?.servers.length ? mcp.start({ ...turn, budgetTokens: Number.POSITIVE_INFINITY }) : Promise.resolve();
}

/** The servers' options with their budget, once the window of `model` is known. */
export async function mcpOptions(context: ContextGuard, model: string | undefined, turn: Turn): Promise<PrepareOptions> {
  await context.detect(model);
  const usable = context.window.tokens - replyReserve(context.window.tokens);
  return { ...turn, budgetTokens: Math.floor(usable * DIRECT_BUDGET_SHARE) };
}
