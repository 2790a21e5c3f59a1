import type { McpServer } from "./server.js";

/**
 * What each server's `instructions` (from initialize) tell the model: in the system prompt, under
 * the server's name, capped so one verbose server cannot take the prompt over. They are paid on
 * every request; /context shows what they cost.
 */

/** Per server: enough for a paragraph of how-to, not for a manual. */
export const MAX_INSTRUCTIONS_BYTES = 2048;

/** The system prompt's MCP section, or undefined when no running server gave instructions. */
export function instructionsSection(servers: McpServer[]): string | undefined {
  const parts = servers
    .filter((server) => server.offersTools && server.instructions?.trim())
    .map((server) => `From MCP server ${server.name}:\n${capBytes(server.instructions!.trim(), MAX_INSTRUCTIONS_BYTES)}`);
  if (parts.length === 0) return undefined;
  return ["Instructions from the MCP servers (about their tools; the user's requests come first):", ...parts].join("\n");
}

function capBytes(text: string, max: number): string {
  const buffer = Buffer.from(text, "utf8");
  if (buffer.length <= max) return text;
  // Cut at a character boundary; the note says the rest exists.
  let end = max;
  while (end > 0 && (buffer[end] & 0xc0) === 0x80) end--;
  return `${buffer.toString("utf8", 0, end)}… [${buffer.length - end} more bytes of instructions cut]`;
}
