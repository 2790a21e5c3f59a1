import type { Conversation } from "../../loop/conversation.js";
import { attachResources, RESOURCE_MENTION } from "../../extend/mcp/resources.js";
import type { ToolContext } from "../../tools/define.js";
import type { Mentions } from "./mentions.js";

/**
 * `@server:uri` in a request: the MCP server's resource goes with it, as `@path` attaches a file.
 * Only names of configured servers count, so `@user:pass@host` stays text; the servers start
 * first if the session has not started them yet (asking about a project's, as a request would).
 */
export async function attachResourceMentions(
  request: string,
  conversation: Conversation,
  approve: ToolContext["approve"],
  interruptible: <T>(run: (signal: AbortSignal) => Promise<T>) => Promise<T>,
): Promise<Pick<Mentions, "text" | "attached" | "problems">> {
  const hub = conversation.mcp;
  const names = new Set(hub?.servers.map((server) => server.name));
  const mentioned = [...request.matchAll(RESOURCE_MENTION)].some(([, server]) => names.has(server));
  if (!hub || !mentioned) return { text: request, attached: [], problems: [] };
  return interruptible(async (signal) => {
    await conversation.startMcp({ signal, approve });
    return attachResources(request, names, hub.ready(), signal);
  });
}
