/**
 * An MCP tool result as text the model reads. Text blocks are kept as they are; structured content
 * is shown as JSON when the text does not already carry it; images, audio and resources are
 * described (type, size, uri), never dropped silently and never pasted as base64.
 */

interface ContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  title?: string;
  resource?: { uri?: string; mimeType?: string; text?: string; blob?: string };
}

export interface CallResultLike {
  content?: unknown;
  structuredContent?: unknown;
  isError?: boolean;
  /** Old servers answer with `toolResult` instead of content. */
  toolResult?: unknown;
}

/**
 * The result as text, and whether the server marked it as an error. `resourcesOf`: the server's
 * name when mcp_resources can read its resources (a link or a binary resource then says how).
 */
export function renderResult(result: CallResultLike, resourcesOf?: string): { text: string; isError: boolean } {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const parts = blocks.map((block) => renderBlock(block, resourcesOf));
  // Servers should repeat structured content as text; when the text already carries every value, the JSON would only double the tokens.
  if (result.structuredContent !== undefined && !carriesAll(parts.join("\n"), result.structuredContent)) {
    parts.push(`structured content:\n${JSON.stringify(result.structuredContent, null, 2)}`);
  }
  if (result.toolResult !== undefined && parts.length === 0) parts.push(JSON.stringify(result.toolResult, null, 2));
  const text = parts.join("\n").trim() || "(the tool returned no content)";
  return { text, isError: result.isError === true };
}

function renderBlock(block: ContentBlock, resourcesOf?: string): string {
  const howToRead = (uri: string | undefined) => (resourcesOf && uri ? `; read it with mcp_resources {"action":"read","server":"${resourcesOf}","uri":"${uri}"}` : "");
  switch (block.type) {
    case "text":
      return block.text ?? "";
    case "image":
    case "audio":
      return `[${block.type} ${block.mimeType ?? "of unknown type"}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "resource_link":
      return `[resource link ${block.uri ?? ""}${block.name ? ` (${block.name})` : ""}${block.mimeType ? `, ${block.mimeType}` : ""}${howToRead(block.uri)}]`;
    case "resource": {
      const resource = block.resource ?? {};
      if (typeof resource.text === "string") return `[resource ${resource.uri ?? ""}]\n${resource.text}`;
      return `[resource ${resource.uri ?? ""}${resource.mimeType ? `, ${resource.mimeType}` : ""}, ${base64Bytes(resource.blob)} bytes of binary data, not shown]`;
    }
    default:
      return `[${String(block.type)} content, not shown]`;
  }
}

function base64Bytes(data: string | undefined): number {
  if (!data) return 0;
  return Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
}

/** Whether every string, number and boolean in `value` appears in `text`. */
function carriesAll(text: string, value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "object") return Object.values(value as object).every((item) => carriesAll(text, item));
  return text.includes(String(value));
}
