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

/** The result as text, and whether the server marked it as an error. */
export function renderResult(result: CallResultLike): { text: string; isError: boolean } {
  const blocks = Array.isArray(result.content) ? (result.content as ContentBlock[]) : [];
  const parts = blocks.map(renderBlock);
  if (result.structuredContent !== undefined) {
    const json = JSON.stringify(result.structuredContent, null, 2);
    if (!parts.some((part) => sameJson(part, result.structuredContent))) parts.push(`structured content:\n${json}`);
  }
  if (result.toolResult !== undefined && parts.length === 0) parts.push(JSON.stringify(result.toolResult, null, 2));
  const text = parts.join("\n").trim() || "(the tool returned no content)";
  return { text, isError: result.isError === true };
}

function renderBlock(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text ?? "";
    case "image":
    case "audio":
      return `[${block.type} ${block.mimeType ?? "of unknown type"}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "resource_link":
      return `[resource link ${block.uri ?? ""}${block.name ? ` (${block.name})` : ""}${block.mimeType ? `, ${block.mimeType}` : ""}]`;
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

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}
