import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

/**
 * The MCP client features beyond tools, through the built CLI and a real SDK server
 * (test/support/mcp-feature-server.mjs): instructions, roots, progress and its timeout, resources,
 * elicitation in --print; the REPL's form, progress line, Esc, prompts and @server:uri mentions.
 */

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-feature-server.mjs", import.meta.url));

/** An --mcp-config file (the person's own: no trust question) with the feature server as `feat`. */
function featureConfig(ws: TempWorkspace, env: Record<string, string> = {}, extra: object = {}): string {
  const file = join(ws.outside, "mcp.json");
  writeFileSync(file, JSON.stringify({ mcpServers: { feat: { command: process.execPath, args: [SERVER], env, ...extra } } }));
  return file;
}
const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const toolNames = (request: any): string[] => (request.tools ?? []).map((t: any) => t.function.name);

describe("MCP protocol features in --print", () => {
  it("gives the model the server's instructions, the workspace as the root, progress, resources and readable resource links", async () => {
    const ws = tempWorkspace();
    const config = featureConfig(ws);
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__feat__roots", {}, "c1")
        .tool("mcp__feat__count", {}, "c2")
        .tool("mcp_resources", { action: "list" }, "c3")
        .tool("mcp_resources", { action: "read", server: "feat", uri: "notes://readme" }, "c4")
        .tool("mcp_resources", { action: "read", server: "feat", uri: "notes://logo" }, "c5")
        .tool("mcp_resources", { action: "read", server: "feat", uri: "notes://missing" }, "c6")
        .tool("mcp_resources", { action: "read", server: "feat", uri: "notes://big" }, "c7")
        .tool("mcp__feat__link", {}, "c8"),
      reply().text("Done."),
    ]);
    const result = await runCli(["-p", "--yes", "--mcp-config", config, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Done.");

    // Instructions reach the system prompt of the very first request, under the server's name.
    const system = fake.requests[0].messages[0].content;
    expect(system).toContain("From MCP server feat:\nAlways call count before reporting totals. Notes live under notes://.");
    // One resources tool, whatever the server holds.
    const resourceTools = fake.requests[0].tools.filter((t: any) => t.function.name === "mcp_resources");
    expect(resourceTools).toHaveLength(1);
    expect(resourceTools[0].function.parameters.properties.action.enum).toEqual(["list", "read"]);

    const [roots, counted, listing, readme, logo, missing, big, link] = toolMessages(fake.requests[1]);
    expect(JSON.parse(roots)).toEqual([{ uri: pathToFileURL(ws.root).href, name: "workspace" }]);
    expect(counted).toBe("counted to 4 (progress token sent)");
    expect(listing).toContain("server feat:\nnotes://readme (text/markdown) How the notes are kept\nnotes://logo (image/png) The logo");
    expect(readme).toBe("# Notes\nKeep them short.");
    expect(logo).toMatch(/^\[notes:\/\/logo: image\/png, about \d+ bytes, not shown\]$/);
    expect(missing).toMatch(/^Error: MCP server feat could not read notes:\/\/missing: .*List what it has with mcp_resources action=list\.$/);
    // Capped like every observation, and saved whole.
    expect(big.length).toBeLessThan(60_000);
    expect(big).toMatch(/is saved in \S+; page through it with read_file/);
    expect(link).toContain('[resource link notes://readme (readme), text/markdown; read it with mcp_resources {"action":"read","server":"feat","uri":"notes://readme"}]');
    assertValidHistory(fake.requests[1].messages);
  });

  it("offers no mcp_resources when no server has resources", async () => {
    const ws = tempWorkspace();
    const file = join(ws.outside, "mcp.json");
    const plain = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
    writeFileSync(file, JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [plain] } } }));
    const fake = await fakeOpenAI([reply().text("ok")]);
    const result = await runCli(["-p", "--mcp-config", file, "hi"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolNames(fake.requests[0])).toContain("mcp__test__echo");
    expect(toolNames(fake.requests[0])).not.toContain("mcp_resources");
    expect(fake.requests[0].messages[0].content).not.toContain("MCP server");
  });

  it("progress restarts a call's timeout: a call longer than the timeout but reporting all along completes", async () => {
    const ws = tempWorkspace();
    // 6 steps of 250 ms: 1.5 s in all against a 700 ms timeout, never 700 ms without a report.
    const config = featureConfig(ws, { STEPS: "6", STEP_MS: "250" }, { tool_timeout_ms: 700 });
    const fake = await fakeOpenAI([reply().tool("mcp__feat__count", {}, "c1"), reply().text("Counted.")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", config, "count"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolMessages(fake.requests[1])).toEqual(["counted to 6 (progress token sent)"]);
  });

  it("declines a server's form and says so on stderr; --mcp-elicitation defaults accepts the defaults when every required field has one", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("mcp__feat__ask_name", {}, "c1").tool("mcp__feat__open_link", {}, "c2"),
      reply().text("No answer."),
      reply().tool("mcp__feat__ask_name", {}, "c3"),
      reply().text("Answered."),
    ]);
    const declined = await runCli(["-p", "--yes", "--mcp-config", featureConfig(ws), "ask"], cliOptions(ws, fake));
    expect(declined.code).toBe(0);
    expect(toolMessages(fake.requests[1])).toEqual(['elicitation: {"action":"decline"}', "url elicitation: decline"]);
    expect(declined.stderr).toContain('mini-claude: MCP server feat asked "Who is asking?": declined, --print cannot ask you (--mcp-elicitation defaults accepts a form\'s defaults).');
    expect(declined.stderr).toContain('mini-claude: MCP server feat asked "Sign in to the inventory" (to open a URL): declined, --print cannot open pages for you.');

    const config = featureConfig(ws, { AGE_DEFAULT: "41" });
    const accepted = await runCli(["-p", "--yes", "--mcp-elicitation", "defaults", "--mcp-config", config, "ask"], cliOptions(ws, fake));
    expect(accepted.code).toBe(0);
    expect(toolMessages(fake.requests[3])).toEqual(['elicitation: {"action":"accept","content":{"name":"Ada","age":41,"color":"green","subscribe":false}}']);
    expect(accepted.stderr).toContain("answered with the form's defaults (--mcp-elicitation defaults)");

    const bad = await runCli(["-p", "--mcp-elicitation", "always", "hi"], cliOptions(ws, fake));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid --mcp-elicitation \(MINI_CLAUDE_MCP_ELICITATION\): .*decline.*defaults/);
  });
});
