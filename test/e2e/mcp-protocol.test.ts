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

describe("MCP protocol features in the REPL", () => {
  it("a server's form: defaults typed in, a wrong answer asked again, accept; n declines; Esc cancels", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("mcp__feat__ask_name", {}, "c1"),
      reply().text("First answered."),
      reply().tool("mcp__feat__ask_name", {}, "c2"),
      reply().text("Second answered."),
      reply().tool("mcp__feat__ask_name", {}, "c3"),
      reply().text("Third answered."),
      reply().tool("mcp__feat__open_link", {}, "c4"),
      reply().text("Signed in."),
    ]);
    // $BROWSER is what opens a page: here a script that notes the URL it was given.
    const opened = join(ws.outside, "opened");
    const browser = join(ws.outside, "browser.sh");
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`, { mode: 0o755 });
    const pty = await startRepl(["--yes", "--mcp-config", featureConfig(ws)], { ...cliOptions(ws, fake, { env: { BROWSER: browser } }), columns: 120 });
    pty.type("who am I\r");
    await pty.waitFor("MCP server feat asks: Who is asking?");
    await pty.waitFor("Answer it? [y]es, [n]o, Esc to cancel: ");
    pty.type("\r");
    // The default is on the line already: Enter keeps it.
    await pty.waitFor("Name (required): Ada");
    pty.type("\r");
    await pty.waitFor("Age (integer, ≥ 0, required): ");
    pty.type("forty\r");
    await pty.waitFor("Age: type a whole number, e.g. 42. (Esc cancels the form)");
    pty.type("41\r");
    await pty.waitFor("Colour (one of: 1) red, 2) green): green");
    pty.type("\r");
    await pty.waitFor("Subscribe (y/n): n");
    pty.type("\x15y\r");
    await pty.waitFor("First answered.");
    let mark = pty.screen().length;
    pty.type("again\r");
    await pty.waitFor("Answer it? [y]es, [n]o, Esc to cancel: ", { from: mark });
    pty.type("n\r");
    await pty.waitFor("Second answered.", { from: mark });
    mark = pty.screen().length;
    pty.type("once more\r");
    await pty.waitFor("Answer it? [y]es, [n]o, Esc to cancel: ", { from: mark });
    pty.type("\r");
    await pty.waitFor("Name (required): Ada", { from: mark });
    pty.type("\x1b");
    await pty.waitFor("(cancelled; MCP server feat was told)", { from: mark });
    await pty.waitFor("Third answered.", { from: mark });
    mark = pty.screen().length;
    pty.type("sign in\r");
    await pty.waitFor("https://example.com/sign-in?id=42\n  (a page on example.com)\nOpen it in your browser? [y]es, [n]o, Esc to cancel: ", { from: mark });
    pty.type("y\r");
    await pty.waitFor("Signed in.", { from: mark });
    expect(await eventually(() => existsSync(opened) && readFileSync(opened, "utf8") === "https://example.com/sign-in?id=42", 3000)).toBe(true);
    // The running server's prompts complete with Tab, like any command.
    mark = pty.screen().length;
    pty.type("/mcp__feat__re\t");
    await pty.waitFor("/mcp__feat__review", { from: mark });
    pty.type("\x15");
    await pty.quit();
    expect(toolMessages(fake.requests[1])).toEqual(['elicitation: {"action":"accept","content":{"name":"Ada","age":41,"color":"green","subscribe":true}}']);
    expect(toolMessages(fake.requests[3]).at(-1)).toBe('elicitation: {"action":"decline"}');
    expect(toolMessages(fake.requests[5]).at(-1)).toBe('elicitation: {"action":"cancel"}');
    expect(toolMessages(fake.requests[7]).at(-1)).toBe("url elicitation: accept");
    assertValidHistory(fake.requests[7].messages);
  });

  it("a long call shows the server's progress on its timer line, and Esc cancels it at the server", async () => {
    const ws = tempWorkspace();
    const cancelFile = join(ws.outside, "cancelled");
    const config = featureConfig(ws, { STEPS: "40", STEP_MS: "400", CANCEL_FILE: cancelFile });
    const fake = await fakeOpenAI([reply().tool("mcp__feat__count", {}, "c1"), reply().text("After the interrupt.")]);
    const pty = await startRepl(["--yes", "--mcp-config", config], { ...cliOptions(ws, fake), columns: 120 });
    pty.type("count slowly\r");
    await pty.waitFor(/running · 3\/40 · step 3/, { timeoutMs: 15_000 });
    const mark = pty.screen().length;
    pty.type("\x1b");
    await pty.waitFor(/Interrupted/, { from: mark });
    expect(await eventually(() => existsSync(cancelFile), 5000)).toBe(true);
    pty.type("go on\r");
    await pty.waitFor("After the interrupt.", { from: mark });
    await pty.quit();
    const [observation] = toolMessages(fake.requests[1]);
    expect(observation).toMatch(/interrupted/i);
    assertValidHistory(fake.requests[1].messages);
  });

  it("/mcp__server__prompt sends the prompt's messages; /help lists it; @server:uri attaches a resource; /context counts the instructions", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Reviewed."), reply().text("Read it."), reply().text("Hello sent.")]);
    const stdin = [
      "/mcp__feat__review",
      '/mcp__feat__review "src/a b.ts" error handling and naming',
      "/help",
      "summarise @feat:notes://readme please",
      "/mcp__feat__hello",
      "/mcp__feat__nope",
      "/context",
    ].join("\n");
    const result = await runCli(["--mcp-config", featureConfig(ws)], cliOptions(ws, fake, { stdin: `${stdin}\n` }));
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).toContain("/mcp__feat__review needs file. Usage: /mcp__feat__review FILE [FOCUS]");
    const review = fake.requests[0].messages.at(-1).content;
    expect(review).toContain("Please review src/a b.ts, looking at error handling and naming.");
    expect(review).toContain('<resource uri="notes://readme">\n# Notes\nKeep them short.\n</resource>');
    expect(result.stdout).toContain("MCP prompts:\n  /mcp__feat__review FILE [FOCUS] — Review a file (MCP server feat)\n  /mcp__feat__hello — Say hello (MCP server feat)");
    const mention = fake.requests[1].messages.at(-1).content;
    expect(mention).toContain('summarise @feat:notes://readme please\n\n<resource server="feat" uri="notes://readme">\n# Notes\nKeep them short.\n</resource>');
    expect(result.stdout).toContain("(attached @feat:notes://readme)");
    expect(fake.requests[2].messages.at(-1).content).toContain("Say hello to the team.");
    expect(result.stdout + result.stderr).toContain("Unknown command /mcp__feat__nope. MCP prompts: /mcp__feat__review /mcp__feat__hello");
    // The ledger counts the server's instructions in the system prompt, as a line of their own.
    expect(result.stdout).toMatch(/\n {2}MCP server feat +\d+ +\d+%\n/);
    expect(fake.requests).toHaveLength(3);
  });
});

describe("MCP instructions in gateway mode", () => {
  it("mcp_search matches the words of a server's instructions, and the instructions are in the system prompt", async () => {
    const ws = tempWorkspace();
    const file = join(ws.outside, "mcp.json");
    const plain = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
    const instructions = "These tools answer warehouse questions. ".repeat(80);
    writeFileSync(file, JSON.stringify({ mcpServers: { big: { command: process.execPath, args: [plain, "--tools", "40"], env: { INSTRUCTIONS: instructions } } } }));
    const fake = await fakeOpenAI([reply().tool("mcp_search", { query: "warehouse" }), reply().text("done")]);
    const result = await runCli(["-p", "--mcp-config", file, "--context-window", "16k", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolNames(fake.requests[0])).toContain("mcp_search");
    const [found] = toolMessages(fake.requests[1]);
    expect(found).toMatch(/^server: big\ntool: /);
    // Capped at 2 KB per server, with a note that the rest was cut.
    const system: string = fake.requests[0].messages[0].content;
    expect(system).toContain("From MCP server big:\nThese tools answer warehouse questions.");
    const section = system.slice(system.indexOf("From MCP server big:\n") + "From MCP server big:\n".length);
    expect(section).toMatch(/^These tools answer warehouse questions\.[^…]*… \[\d+ more bytes of instructions cut\]/);
    expect(Buffer.byteLength(section.slice(0, section.indexOf("…")))).toBeLessThanOrEqual(2048);
  });
});
