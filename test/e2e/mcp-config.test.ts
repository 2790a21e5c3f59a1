import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

/** Every MCP configuration problem is one line for the person and one for the model; a named broken file stops the run. */

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const mcpLines = (stderr: string) => stderr.split("\n").filter((line) => line.includes("MCP"));

describe("MCP configuration problems", () => {
  it("a lone .mcp.json that is not JSON is one line for the person and one for the model", async () => {
    const ws = tempWorkspace({ ".mcp.json": '{ "mcpServers": { "x": { "command": "y", } } }' });
    const fake = await fakeOpenAI([reply().text("ok")]);
    const result = await runCli(["-p", "hello"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const file = join(ws.root, ".mcp.json");
    expect(mcpLines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^MCP configuration: ${file}: not valid JSON \\(.+\\)$`))]);
    const sent = JSON.stringify(fake.requests[0].messages);
    expect(sent).toContain(`MCP configuration problem: ${file}: not valid JSON`);
  });

  it("--mcp-config of a broken file, or of no file, is exit 2 with one line and no request", async () => {
    const ws = tempWorkspace();
    const broken = join(ws.outside, "broken.json");
    writeFileSync(broken, "{ not json");
    const fake = await fakeOpenAI([]);
    const result = await runCli(["-p", "--mcp-config", broken, "hello"], cliOptions(ws, fake));
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringMatching(new RegExp(`^mini-claude: --mcp-config: ${broken}: not valid JSON \\(.+\\)$`))]);
    const wrong = join(ws.outside, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ mcpServers: { a: { command: ["node"] } } }));
    const typed = await runCli(["-p", "--mcp-config", wrong, "hello"], cliOptions(ws, fake));
    expect([typed.code, typed.stderr.trim()]).toEqual([2, `mini-claude: --mcp-config: ${wrong}: server "a": "command" must be a string`]);
    const missing = await runCli(["-p", "--mcp-config", join(ws.outside, "nope.json"), "hello"], cliOptions(ws, fake));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`mini-claude: --mcp-config: ${join(ws.outside, "nope.json")} is not a file.`);
    expect(fake.requests).toHaveLength(0);
  });

  it("an unset ${VAR} and an unknown field warn, naming the variable, the field and the server, and the server still runs", async () => {
    const ws = tempWorkspace();
    const config = join(ws.outside, "mcp.json");
    const server = { command: process.execPath, args: [SERVER], env: { TOKEN: "${MCP_SECRET_TOKEN}", LEVEL: "${MCP_LEVEL:-info}" }, tool_timout_ms: 5 };
    writeFileSync(config, JSON.stringify({ mcpServers: { test: server } }));
    const fake = await fakeOpenAI([reply().tool("mcp__test__echo", { text: "hi" }), reply().text("done")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", config, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(mcpLines(result.stderr)).toEqual([
      `MCP configuration: ${config}: server "test": unknown field "tool_timout_ms" (ignored)`,
      `MCP configuration: ${config}: server "test": \${MCP_SECRET_TOKEN} is not set, so it is empty`,
    ]);
    const sent = JSON.stringify(fake.requests[0].messages);
    expect(sent).toContain('server \\"test\\": ${MCP_SECRET_TOKEN} is not set, so it is empty');
    expect(sent).not.toContain("MCP_LEVEL");
    expect(toolMessages(fake.requests[1])).toEqual(["echo: hi"]);
  });
});
