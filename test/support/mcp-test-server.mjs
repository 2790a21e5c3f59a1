// A real MCP server for the tests, written with the SDK. Plain JS so node runs it directly (no build).
//
//   node mcp-test-server.mjs [--http PORT_FILE] [--tools N] [--fail-start] [--hang-start]
//
// Tools: echo, add (structured content), fail (isError), crash (exits mid-call), hang (never
// answers), picture (an image), flood (200 KB of text), grow (adds a tool and sends tools/list_changed), slow (answers after
// 300 ms unless cancelled), and with --tools N, N more tools with long descriptions (gateway mode).
// With PID_FILE set it writes "serverPid childPid orphanPid": the child is a `sleep` it started, to
// check that its whole process tree dies with mini-claude; the orphan a `sleep` whose parent already
// exited (as a daemonising child's would), found only through the server's process group. ENV_FILE: its environment, as JSON.
// HANG_FILE: written when a hang call arrives, so a test can interrupt it without guessing when.
// INSTRUCTIONS: the instructions initialize returns. START_DELAY_FILE: when it exists, the number of
// ms to wait before answering at all (a slow start); READY_FILE: written once it answers.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

if (flag("--fail-start")) {
  process.stderr.write("fatal: missing DATABASE_URL\n");
  process.exit(3);
}
if (process.env.ENV_FILE) writeFileSync(process.env.ENV_FILE, JSON.stringify(process.env));

function build() {
  const server = new McpServer({ name: "test-server", version: "1.0.0" }, { instructions: process.env.INSTRUCTIONS });
  server.registerTool(
    "echo",
    { description: "Echo the text back", inputSchema: { text: z.string().describe("What to echo") }, outputSchema: { echoed: z.string() } },
    // The text repeats the structured content, as the protocol asks: it is not shown twice.
    async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }], structuredContent: { echoed: text } }),
  );
  server.registerTool(
    "add",
    { description: "Add two numbers", inputSchema: { a: z.number(), b: z.number() }, outputSchema: { sum: z.number() } },
    async ({ a, b }) => ({ content: [{ type: "text", text: "added" }], structuredContent: { sum: a + b } }),
  );
  // Two slow tools that say when they ran: one the server marks read-only, one it does not.
  for (const [name, readOnlyHint] of [["slow_lookup", true], ["slow_write", false]]) {
    server.registerTool(
      name,
      { description: `Waits 400 ms (${readOnlyHint ? "read-only" : "writes"})`, inputSchema: { id: z.string() }, annotations: { readOnlyHint } },
      async ({ id }) => {
        const started = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 400));
        return { content: [{ type: "text", text: `${id} ${started} ${Date.now()}` }] };
      },
    );
  }
  server.tool("fail", "Always fails", {}, async () => ({ content: [{ type: "text", text: "disk quota exceeded" }], isError: true }));
  server.tool("crash", "Exits in the middle of the call", {}, async () => {
    setTimeout(() => process.exit(7), 50);
    return new Promise(() => {});
  });
  server.tool("hang", "Never answers", {}, async (_args, extra) => {
    if (process.env.HANG_FILE) writeFileSync(process.env.HANG_FILE, "waiting");
    return new Promise((resolve) =>
      extra.signal.addEventListener("abort", () => {
        if (process.env.CANCEL_FILE) writeFileSync(process.env.CANCEL_FILE, "cancelled");
        resolve({ content: [] });
      }),
    );
  });
  server.tool("picture", "Returns an image", {}, async () => ({
    content: [
      { type: "image", data: Buffer.from("fake png bytes").toString("base64"), mimeType: "image/png" },
      { type: "resource", resource: { uri: "file:///notes.txt", text: "resource text" } },
    ],
  }));
  server.tool("flood", "Returns 200 KB of text", {}, async () => ({
    content: [{ type: "text", text: Array.from({ length: 5000 }, (_, i) => `line ${i + 1} ${"z".repeat(30)}`).join("\n") }],
  }));
  server.tool("grow", "Adds the tool late_tool", {}, async () => {
    server.tool("late_tool", "A tool added later", {}, async () => ({ content: [{ type: "text", text: "late tool ran" }] }));
    return { content: [{ type: "text", text: "added late_tool" }] };
  });
  const extra = Number(value("--tools") ?? 0);
  for (let i = 0; i < extra; i++) {
    server.tool(
      `tool_${i}`,
      `Tool number ${i}: looks up record ${i} in the inventory database and returns its fields, history and owners. ` +
        `Use it when the user asks about item ${i}; it accepts filters and paging options.`,
      {
        id: z.string().describe("The record id"),
        fields: z.array(z.string()).optional().describe("Which fields to return"),
        limit: z.number().int().optional().describe("How many history entries"),
      },
      async ({ id }) => ({ content: [{ type: "text", text: `record ${i}: ${id}` }] }),
    );
  }
  return server;
}

if (process.env.PID_FILE) {
  const child = spawn("sleep", ["300"], { stdio: "ignore" });
  const orphan = execFileSync("/bin/sh", ["-c", "sleep 300 >/dev/null 2>&1 & echo $!"], { encoding: "utf8" }).trim();
  writeFileSync(process.env.PID_FILE, `${process.pid} ${child.pid} ${orphan}`);
}

if (flag("--hang-start")) {
  // Reads stdin but never answers initialize.
  process.stdin.resume();
} else if (value("--http")) {
  const http = createServer(async (req, res) => {
    // Stateless: a fresh server and transport per request, as the SDK's examples do.
    const server = build();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on("close", () => void transport.close());
    await server.connect(transport);
    let body = "";
    for await (const chunk of req) body += chunk;
    await transport.handleRequest(req, res, body ? JSON.parse(body) : undefined);
  });
  http.listen(0, "127.0.0.1", () => writeFileSync(value("--http"), String(http.address().port)));
} else {
  const delayFile = process.env.START_DELAY_FILE;
  if (delayFile && existsSync(delayFile)) await new Promise((resolve) => setTimeout(resolve, Number(readFileSync(delayFile, "utf8"))));
  await build().connect(new StdioServerTransport());
  if (process.env.READY_FILE) writeFileSync(process.env.READY_FILE, "ready");
}
