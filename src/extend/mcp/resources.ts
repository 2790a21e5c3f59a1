import { z } from "zod";
import { defineTool, ToolError, type Tool } from "../../tools/define.js";
import { capOutput } from "../../truncate.js";
import { clip } from "../../text.js";
import type { McpServer } from "./server.js";

/**
 * The servers' resources (files, records, documents a server exposes by URI). The model lists and
 * reads them through one tool, mcp_resources, whatever the servers hold, so its schema costs the
 * same for one resource or a thousand; the person attaches one with `@server:uri` in the REPL.
 * Subscriptions are not used: a resource is read when it is wanted.
 */

/** A listing stops here: the model can read any URI it knows, and a huge listing would only cost tokens. */
const MAX_LISTED = 100;

export function resourcesTool(servers: () => McpServer[], serverNames: string[]): Tool {
  const tool = defineTool({
    name: "mcp_resources",
    description: `List or read the resources (documents, records, files) of MCP servers ${serverNames.join(", ")}. action=list shows their URIs; action=read needs server and uri.`,
    params: z.object({
      action: z.enum(["list", "read"]).describe("list, or read one resource"),
      server: z.string().optional().describe("The MCP server's name (read: required; list: all servers when omitted)"),
      uri: z.string().optional().describe("read: the resource's URI"),
    }),
    summary: ({ action, server, uri }) => `mcp_resources ${action}${server ? ` ${server}` : ""}${uri ? ` ${uri}` : ""}`,
    readOnly: true,
    run: async ({ action, server: name, uri }, ctx) => {
      const withResources = servers().filter((s) => s.hasResources);
      const pick = (wanted: string) => {
        const found = withResources.find((s) => s.name === wanted);
        if (!found) throw new ToolError(`no MCP server "${wanted}" with resources. Servers with resources: ${withResources.map((s) => s.name).join(", ") || "(none)"}.`);
        return found;
      };
      if (action === "list") {
        const listings = await Promise.all((name ? [pick(name)] : withResources).map((server) => listing(server, ctx.signal)));
        return listings.join("\n\n");
      }
      if (!name || !uri) throw new ToolError('read needs both server and uri, e.g. {"action":"read","server":"docs","uri":"docs://readme"}. List them with action=list.');
      return readResource(pick(name), uri, ctx.signal);
    },
  });
  return tool as unknown as Tool;
}

/** The resource's contents as text: text parts as they are, binary parts described (type, size). */
export async function readResource(server: McpServer, uri: string, signal: AbortSignal): Promise<string> {
  let result;
  try {
    result = await server.session().readResource({ uri }, { signal, timeout: server.config.toolTimeoutMs });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/^MCP error -?\d+: /, "");
    throw new ToolError(`MCP server ${server.name} could not read ${uri}: ${message}. List what it has with mcp_resources action=list.`);
  }
  const parts = result.contents.map((content) => {
    if ("text" in content && typeof content.text === "string") return result.contents.length > 1 ? `[${content.uri}]\n${content.text}` : content.text;
    const bytes = "blob" in content && typeof content.blob === "string" ? Math.floor((content.blob.length * 3) / 4) : 0;
    return `[${content.uri}: ${content.mimeType ?? "binary data"}, about ${bytes} bytes, not shown]`;
  });
  return parts.join("\n\n") || `(${uri} is empty)`;
}

/** `@server:uri` in a request: `server` names a running server with resources and `uri` has a scheme. */
export const RESOURCE_MENTION = /(?:^|\s)@([A-Za-z0-9_.-]+):([a-z][a-z0-9+.-]*:[^\s]+)/gi;

/**
 * Each `@server:uri` of `request` whose server is among `configured` read and appended in a
 * <resource> block (capped like a tool's output); other names are left as text.
 */
export async function attachResources(request: string, configured: ReadonlySet<string>, servers: McpServer[], signal: AbortSignal): Promise<{ text: string; attached: string[]; problems: string[] }> {
  const blocks: string[] = [];
  const attached: string[] = [];
  const problems: string[] = [];
  for (const [, name, rawUri] of request.matchAll(RESOURCE_MENTION)) {
    if (!configured.has(name)) continue;
    const uri = rawUri.replace(/[.,;!?)]+$/, "");
    const mention = `@${name}:${uri}`;
    if (attached.includes(mention)) continue;
    const server = servers.find((s) => s.name === name);
    if (!server?.hasResources) {
      problems.push(`${mention}: ${server ? `MCP server ${name} has no resources` : `no running MCP server ${name}`}`);
      continue;
    }
    try {
      blocks.push(`<resource server="${name}" uri="${uri}">\n${capOutput(await readResource(server, uri, signal))}\n</resource>`);
      attached.push(mention);
    } catch (error) {
      problems.push(`${mention}: ${(error as Error).message}`);
    }
  }
  return { text: blocks.length ? `${request}\n\n${blocks.join("\n\n")}` : request, attached, problems };
}

async function listing(server: McpServer, signal: AbortSignal): Promise<string> {
  const client = server.session();
  const options = { signal, timeout: server.config.toolTimeoutMs };
  const lines: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listResources(cursor ? { cursor } : undefined, options);
    for (const r of page.resources) lines.push(`${r.uri}${r.mimeType ? ` (${r.mimeType})` : ""}${r.description || r.title ? ` ${clip(r.description ?? r.title ?? "", 160)}` : ""}`);
    cursor = page.nextCursor;
  } while (cursor && lines.length < MAX_LISTED);
  const more = lines.length > MAX_LISTED || cursor ? `\n(only the first ${MAX_LISTED} are listed; read any URI you know)` : "";
  const templates = await client.listResourceTemplates(undefined, options).then(
    (page) => page.resourceTemplates.map((t) => `${t.uriTemplate} (template) ${clip(t.description ?? t.name, 160)}`),
    () => [],
  );
  const all = [...lines.slice(0, MAX_LISTED), ...templates];
  return `server ${server.name}:\n${all.join("\n") || "(no resources)"}${more}`;
}
