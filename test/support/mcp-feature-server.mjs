// An MCP server with the protocol features beyond tools, for the tests: instructions, resources,
// prompts, progress, elicitation (form and URL) and roots. Plain JS so node runs it directly.
//
//   node mcp-feature-server.mjs
//
// Tools: ask_name (form elicitation, answers with what came back), open_link (URL elicitation),
// count (progress every 150 ms for STEPS steps, then answers; cancellable), roots (the client's
// roots), link (a resource link and an embedded binary resource). Resources: notes://readme (text),
// notes://logo (binary), notes://big (200 KB). Prompts: review (arguments file, focus), hello (none).
// CANCEL_FILE: written when a call is cancelled. INSTRUCTIONS: the instructions initialize returns.
// AGE_DEFAULT: gives ask_name's age field a default. STEPS, STEP_MS: how count counts.
import { writeFileSync } from "node:fs";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer(
  { name: "feature-server", version: "1.0.0" },
  { instructions: process.env.INSTRUCTIONS ?? "Always call count before reporting totals. Notes live under notes://." },
);

server.registerTool(
  "ask_name",
  { description: "Asks the user for their name and age", inputSchema: {} },
  async () => {
    const answer = await server.server.elicitInput({
      message: "Who is asking?",
      requestedSchema: {
        type: "object",
        properties: {
          name: { type: "string", title: "Name", default: "Ada" },
          age: { type: "integer", title: "Age", minimum: 0, ...(process.env.AGE_DEFAULT ? { default: Number(process.env.AGE_DEFAULT) } : {}) },
          color: { type: "string", title: "Colour", enum: ["red", "green"], default: "green" },
          subscribe: { type: "boolean", title: "Subscribe", default: false },
        },
        required: ["name", "age"],
      },
    });
    return { content: [{ type: "text", text: `elicitation: ${JSON.stringify(answer)}` }] };
  },
);

server.registerTool("open_link", { description: "Asks the user to open a sign-in page", inputSchema: {} }, async () => {
  const answer = await server.server.elicitInput({ mode: "url", message: "Sign in to the inventory", url: "https://example.com/sign-in?id=42", elicitationId: "e-42" });
  return { content: [{ type: "text", text: `url elicitation: ${answer.action}` }] };
});

server.registerTool("count", { description: "Counts slowly, reporting progress", inputSchema: {} }, async (_args, extra) => {
  const steps = Number(process.env.STEPS ?? 4);
  const token = extra._meta?.progressToken;
  for (let step = 1; step <= steps; step++) {
    await new Promise((resolve) => setTimeout(resolve, Number(process.env.STEP_MS ?? 150)));
    if (extra.signal.aborted) {
      if (process.env.CANCEL_FILE) writeFileSync(process.env.CANCEL_FILE, "cancelled");
      return { content: [] };
    }
    if (token !== undefined) await extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: step, total: steps, message: `step ${step}` } });
  }
  return { content: [{ type: "text", text: `counted to ${steps} (progress token ${token === undefined ? "absent" : "sent"})` }] };
});

server.registerTool("roots", { description: "Lists the client's roots", inputSchema: {} }, async () => {
  const { roots } = await server.server.listRoots();
  return { content: [{ type: "text", text: JSON.stringify(roots) }] };
});

server.registerTool("link", { description: "Returns a resource link and an embedded binary resource", inputSchema: {} }, async () => ({
  content: [
    { type: "text", text: "see the readme" },
    { type: "resource_link", uri: "notes://readme", name: "readme", mimeType: "text/markdown" },
    { type: "resource", resource: { uri: "notes://logo", mimeType: "image/png", blob: Buffer.from("png").toString("base64") } },
  ],
}));

server.registerResource("readme", "notes://readme", { title: "Read me", description: "How the notes are kept", mimeType: "text/markdown" }, async (uri) => ({
  contents: [{ uri: uri.href, mimeType: "text/markdown", text: "# Notes\nKeep them short." }],
}));
server.registerResource("logo", "notes://logo", { description: "The logo", mimeType: "image/png" }, async (uri) => ({
  contents: [{ uri: uri.href, mimeType: "image/png", blob: Buffer.from("png bytes").toString("base64") }],
}));
server.registerResource("big", "notes://big", { description: "A long log", mimeType: "text/plain" }, async (uri) => ({
  contents: [{ uri: uri.href, mimeType: "text/plain", text: Array.from({ length: 5000 }, (_, i) => `entry ${i + 1} ${"y".repeat(30)}`).join("\n") }],
}));

server.registerPrompt(
  "review",
  { description: "Review a file", argsSchema: { file: z.string().describe("The file to review"), focus: z.string().optional().describe("What to look at") } },
  async ({ file, focus }) => ({
    messages: [
      { role: "user", content: { type: "text", text: `Please review ${file}${focus ? `, looking at ${focus}` : ""}.` } },
      { role: "user", content: { type: "resource", resource: { uri: "notes://readme", mimeType: "text/markdown", text: "# Notes\nKeep them short." } } },
    ],
  }),
);
server.registerPrompt("hello", { description: "Say hello" }, async () => ({ messages: [{ role: "user", content: { type: "text", text: "Say hello to the team." } }] }));

await server.connect(new StdioServerTransport());
