import { createHash } from "node:crypto";

/**
 * Names the model calls MCP tools by: `mcp__server__tool`, as Claude Code spells them. Providers
 * accept only [a-zA-Z0-9_-] and at most 64 characters; a name cut to fit gets a short hash of the
 * whole, so two long names that share a start never collide.
 */

const MAX = 64;

/** `taken`: names already given; a clash (server "a__b" tool "c" against server "a" tool "b__c") gets the hash too. */
export function directToolName(server: string, tool: string, taken?: ReadonlySet<string>): string {
  const full = `mcp__${clean(server)}__${clean(tool)}`;
  if (full.length <= MAX && full === `mcp__${server}__${tool}` && !taken?.has(full)) return full;
  // Cut, or changed by cleaning (two raw names could clean to the same text): add a hash of the original.
  const hash = createHash("sha256").update(`${server}\u0000${tool}`).digest("hex").slice(0, 8);
  return `${full.slice(0, MAX - hash.length - 1)}_${hash}`;
}

function clean(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, "_");
}
