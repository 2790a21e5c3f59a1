import type { Conversation } from "../../loop/conversation.js";
import { skillsSection } from "../../extend/skills.js";

/**
 * /context: what the system prompt costs on every request, by source (the instructions files one
 * by one, the skills listing, each MCP server's instructions), then the context used in all.
 * Each source is estimated alone, so the person sees which file or listing to trim.
 */
export function contextReport(conversation: Conversation): string {
  const tokens = (text: string) => conversation.context.estimator.estimate([{ role: "user", content: text }]);
  const system = conversation.messages[0];
  const lines = [`System prompt: about ${tokens(typeof system?.content === "string" ? system.content : "")} tokens per request, of which:`];
  for (const section of conversation.instructions?.sections ?? []) lines.push(`  ${section.file}: about ${tokens(section.text)} tokens`);
  const listing = skillsSection(conversation.skills);
  if (listing.length) {
    const count = conversation.skills.listed.length;
    lines.push(`  skills listing (${count} skill${count === 1 ? "" : "s"}): about ${tokens(listing.join("\n"))} tokens`);
  }
  for (const server of conversation.mcp?.ready() ?? []) {
    const section = conversation.mcp!.instructions([server]);
    if (section) lines.push(`  MCP server ${server.name}'s instructions: about ${tokens(section)} tokens`);
  }
  if (lines.length === 1) lines[0] = lines[0].replace(", of which:", " (no instructions files or skills).");
  lines.push(conversation.context.status(conversation.messages));
  return lines.join("\n");
}
