import { measureRequest, type Ledger, type PromptParts, type SentRequest } from "../context/ledger.js";
import { skillsSection } from "../extend/skills.js";
import type { Conversation } from "./conversation.js";

/**
 * The ledger of a conversation's last request (context/ledger.ts measures it): what its system
 * prompt was made of, which MCP server each tool schema came from, and what subagents used on
 * their own. Called by /context and the JSON printer, never on the request path.
 */

/** Each request's ledger, once its provider count is in: the JSON printer asks at every usage line and at the result. */
const measured = new WeakMap<SentRequest, { usage: SentRequest["usage"]; ledger: Ledger }>();

/** Contract: undefined before the first request; never throws on an odd tools list. */
export function requestLedger(conversation: Conversation): Ledger | undefined {
  const sent = conversation.context.lastSent;
  if (!sent) return undefined;
  const known = measured.get(sent);
  if (known && known.usage === sent.usage) return known.ledger;
  const ledger = ledgerOf(conversation, sent);
  measured.set(sent, { usage: sent.usage, ledger });
  return ledger;
}

/** Before any request: what the first one would carry as things stand (the MCP servers start with it). */
export async function nextRequestLedger(conversation: Conversation): Promise<Ledger> {
  return ledgerOf(conversation, { messages: conversation.messages, tools: await conversation.toolSpecs() });
}

function ledgerOf(conversation: Conversation, sent: SentRequest): Ledger {
  const listing = skillsSection(conversation.skills);
  const parts: PromptParts = {
    instructions: conversation.instructions,
    skills: listing.length ? { text: listing.join("\n"), count: conversation.skills.listed.length } : undefined,
    mcpInstructions: mcpInstructions(conversation),
    toolGroup,
  };
  const ledger = measureRequest(sent, parts, conversation.context.estimator.ratio);
  // The subagents whose answers this request carries: what their own requests used, beside it.
  const answered = new Set(sent.messages.flatMap((message) => (message.role === "tool" ? [message.tool_call_id] : [])));
  const subagents = conversation.subagentRuns.filter((run) => answered.has(run.id));
  if (subagents.length) ledger.subagents = subagents.map(({ label, usage }) => ({ label, tokens: usage.inputTokens + usage.outputTokens }));
  return ledger;
}

/** Each ready server's part of the prompt's MCP section, found in it as the section wrote it. */
function mcpInstructions(conversation: Conversation): Array<{ server: string; text: string }> {
  const hub = conversation.mcp;
  return (hub?.ready() ?? []).flatMap((server) => {
    const own = hub!.instructions([server])?.split("\n").slice(1).join("\n");
    return own ? [{ server: server.name, text: own }] : [];
  });
}

/** MCP tools say their server at the end of their description (extend/mcp/tools.ts); the gateway pair is its own group. */
function toolGroup(name: string, description: string): string {
  if (name === "mcp_search" || name === "mcp_call") return "MCP gateway";
  const server = /\(MCP server ([^()]*)\)$/.exec(description)?.[1];
  return server === undefined ? "built-in" : `MCP ${server}`;
}
