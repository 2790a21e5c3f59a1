import { z } from "zod";
import { defineTool, requireApproval, ToolError, type Tool, type ToolContext } from "../../tools/define.js";
import { directToolName } from "./names.js";
import { progressText } from "./progress.js";
import { renderResult } from "./render.js";
import type { McpServer, RemoteTool } from "./server.js";
import { clip } from "../../text.js";

/**
 * The two ways MCP tools reach the model. Direct: one registry tool per server tool, its JSON
 * schema passed through. Gateway: two fixed tools, mcp_search and mcp_call, whatever the servers
 * offer, so the tools array (and the provider's prompt cache) stays the same.
 */

/** A longer description says nothing the model needs to pick the tool; the cap bounds a verbose server. */
const MAX_DESCRIPTION = 1024;

export function directTools(servers: McpServer[]): Tool[] {
  const tools: Tool[] = [];
  const taken = new Set<string>();
  for (const server of servers) {
    for (const remote of server.tools) {
      const name = directToolName(server.name, remote.name, taken);
      taken.add(name);
      tools.push({
        name,
        description: `${clip(remote.description, MAX_DESCRIPTION) || remote.name} (MCP server ${server.name})`,
        params: z.object({}).passthrough(),
        inputSchema: remote.inputSchema,
        // Only when it runs: the hint lets it overlap other reads; it never skips the approval.
        readOnly: remote.readOnly,
        summary: (args) => `${name} ${argsInOneLine(args)}`,
        run: (args, ctx) => callRemote(server, remote, args, ctx, name),
      });
    }
  }
  return tools;
}

/** mcp_search and mcp_call over `servers()` (read at every call, so a refreshed list counts at once). */
export function gatewayTools(servers: () => McpServer[], serverNames: string[]): Tool[] {
  const search = defineTool({
    name: "mcp_search",
    description:
      `Find tools on the connected MCP servers (${serverNames.join(", ")}). Returns the best matches with their ` +
      `server, name, description and input schema; call one with mcp_call.`,
    params: z.object({ query: z.string().describe("Words describing the task, or an exact tool name") }),
    summary: ({ query }) => `mcp_search ${query}`,
    readOnly: true,
    run: async ({ query }) => searchText(servers(), query),
  });
  const call = defineTool({
    name: "mcp_call",
    description: "Call a tool found with mcp_search. The arguments must match its input schema.",
    params: z.object({
      server: z.string().describe("The MCP server's name"),
      tool: z.string().describe("The tool's name on that server"),
      // Some models send the arguments as a JSON string; take that too.
      arguments: z
        .preprocess(parseIfString, z.record(z.unknown()).optional())
        .describe("The tool's arguments, as its input schema describes"),
    }),
    summary: ({ server, tool, arguments: args }) => `mcp_call ${server}/${tool} ${argsInOneLine(args ?? {})}`,
    readOnly: ({ server, tool }) => servers().find((s) => s.name === server)?.tools.find((t) => t.name === tool)?.readOnly === true,
    run: async ({ server: serverName, tool, arguments: args }, ctx) => {
      const server = servers().find((s) => s.name === serverName);
      if (!server) throw new ToolError(`no MCP server "${serverName}". Servers: ${servers().map((s) => s.name).join(", ") || "(none)"}.`);
      const remote = server.tools.find((t) => t.name === tool);
      if (!remote) {
        if (server.state !== "ready") throw new ToolError(`MCP server "${serverName}" is not running (${server.describeState()}).`);
        throw new ToolError(`MCP server "${serverName}" has no tool "${tool}". Use mcp_search to find the right name.`);
      }
      return callRemote(server, remote, args ?? {}, ctx, directToolName(serverName, tool));
    },
  });
  return [search, call] as unknown as Tool[];
}

async function callRemote(server: McpServer, remote: RemoteTool, args: Record<string, unknown>, ctx: ToolContext, label: string) {
  const problems = await validate(remote.inputSchema, args);
  if (problems) throw new ToolError(`invalid arguments for ${remote.name} (MCP server ${server.name}): ${problems}\nSchema: ${JSON.stringify(remote.inputSchema)}`);
  await requireApproval(
    ctx,
    { kind: "tool", tool: label, server: server.name, name: remote.name, summary: `${server.name}/${remote.name} ${argsInOneLine(args)}` },
    (because) => `the user denied this call${because}. Do not call it again unchanged; adjust it or ask the user.`,
  );
  const started = performance.now();
  ctx.progress?.("");
  const answer = await server.call(remote.name, args, ctx.signal, (report) => ctx.progress?.(progressText(report)));
  const result = renderResult(answer, server.hasResources ? server.name : undefined);
  const seconds = `${((performance.now() - started) / 1000).toFixed(1)}s`;
  if (result.isError) throw new ToolError(`${remote.name} (MCP server ${server.name}) reported an error:\n${result.text}`);
  return { output: result.text, display: `${result.text.split("\n", 1)[0].slice(0, 100)} · ${seconds}` };
}

/** Score every tool against the query; an exact name wins outright. */
function searchText(servers: McpServer[], query: string): string {
  const ready = servers.filter((s) => s.state === "ready");
  const down = servers.filter((s) => s.state !== "ready").map((s) => `${s.name} (${s.describeState()})`);
  const words = query.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  const scored = ready.flatMap((server) =>
    server.tools.map((tool) => {
      const exact = tool.name === query.trim() || `${server.name}/${tool.name}` === query.trim();
      const haystack = `${server.name} ${tool.name} ${tool.description} ${server.instructions ?? ""}`.toLowerCase();
      const nameText = tool.name.toLowerCase();
      const score = exact ? 1000 : words.reduce((sum, word) => sum + (nameText.includes(word) ? 3 : 0) + (haystack.includes(word) ? 1 : 0), 0);
      return { server, tool, score };
    }),
  );
  const best = scored.filter((hit) => hit.score > 0).sort((a, b) => b.score - a.score).slice(0, 5);
  const notes = down.length ? `\nNot running: ${down.join("; ")}.` : "";
  if (best.length === 0) {
    const all = ready.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`));
    return `No tool matches "${query}". Tools: ${all.join(", ") || "(none)"}.${notes}`;
  }
  return (
    best
      .map(({ server, tool }) => `server: ${server.name}\ntool: ${tool.name}\ndescription: ${firstSentence(tool.description)}\ninput schema: ${JSON.stringify(tool.inputSchema)}`)
      .join("\n\n") + notes
  );
}

type Validator = (schema: Record<string, unknown>) => (value: unknown) => { valid: boolean; errorMessage?: string };
let validatorFactory: Promise<Validator> | undefined;

/** The server's schema checked here, so a bad call costs no round trip; undefined when valid. */
async function validate(schema: Record<string, unknown>, args: Record<string, unknown>): Promise<string | undefined> {
  validatorFactory ??= import("@modelcontextprotocol/sdk/validation/ajv").then(({ AjvJsonSchemaValidator }) => {
    const ajv = new AjvJsonSchemaValidator();
    const cache = new WeakMap<object, (value: unknown) => { valid: boolean; errorMessage?: string }>();
    return (s) => {
      let check = cache.get(s);
      if (!check) cache.set(s, (check = ajv.getValidator(s as never)));
      return check;
    };
  });
  let check;
  try {
    check = (await validatorFactory)(schema);
  } catch {
    return undefined; // A schema our validator cannot compile: the server checks the arguments itself.
  }
  const outcome = check(args);
  return outcome.valid ? undefined : (outcome.errorMessage ?? "does not match the schema");
}

function parseIfString(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function firstSentence(text: string): string {
  const line = text.trim().split("\n", 1)[0];
  return clip(line, 200);
}

function argsInOneLine(args: unknown): string {
  return clip(JSON.stringify(args) ?? "", 120);
}
