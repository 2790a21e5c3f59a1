// The token cost of the MCP part of the tools array, direct mode against gateway mode, for the
// test server with 40 tools (test/support/mcp-test-server.mjs: 47 tools in all), counted with the
// o200k tokenizer as bench/run.ts counts the built-in tools.
//
//   npx tsx bench/mcp-tools.ts [N]
import { fileURLToPath } from "node:url";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { McpHub } from "../src/extend/mcp/hub.js";
import { toolSpecs } from "../src/tools/index.js";

const extra = process.argv[2] ?? "40";
const server = fileURLToPath(new URL("../test/support/mcp-test-server.mjs", import.meta.url));
const hub = new McpHub(
  {
    servers: [
      {
        name: "inventory",
        origin: "user",
        file: "(bench)",
        transport: "stdio",
        command: process.execPath,
        args: [server, "--tools", extra],
        env: {},
        cwd: process.cwd(),
        startupTimeoutMs: 10_000,
        toolTimeoutMs: 60_000,
        excludeTools: ["echo", "add", "fail", "crash", "hang", "picture", "grow"],
      },
    ],
    problems: [],
  },
  { workspace: process.cwd(), configDir: "/nonexistent" },
);
const signal = new AbortController().signal;
const approve = async () => ({ approved: true as const });
const cost = async (budgetTokens: number) => {
  await hub.prepare({ signal, approve, budgetTokens, notify: console.error });
  const tools = hub.tools();
  return { mode: hub.mode(), count: tools.length, tokens: countTokens(JSON.stringify(toolSpecs(tools))) };
};
const direct = await cost(Number.POSITIVE_INFINITY);
const gateway = await cost(0);
console.log(`MCP server with ${extra} tools: ${direct.mode} ${direct.count} tools = ${direct.tokens} tokens; ${gateway.mode} ${gateway.count} tools = ${gateway.tokens} tokens`);
console.log(`estimate used for the budget (bytes/4): ${hub.schemaTokens(hub.servers[0])} tokens`);
await hub.closeAll();
