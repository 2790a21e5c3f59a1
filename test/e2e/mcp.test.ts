import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { isAlive } from "../../src/processes/process-tree.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));

/** A .mcp.json in the workspace with these servers (stdio ones run the test server with `args`). */
function mcpJson(ws: TempWorkspace, servers: Record<string, object>): void {
  ws.write(".mcp.json", JSON.stringify({ mcpServers: servers }));
}
const stdio = (args: string[] = [], extra: object = {}) => ({ command: process.execPath, args: [SERVER, ...args], ...extra });

const toolNames = (request: any): string[] => (request.tools ?? []).map((t: any) => t.function.name);
const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

function pidsOf(file: string): number[] {
  return readFileSync(file, "utf8").trim().split(" ").map(Number);
}

describe("MCP servers over stdio, direct mode", () => {
  it("joins the tools as mcp__server__tool with the server's schema, renders every kind of result, and leaves no process behind", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    const envFile = join(ws.outside, "env.json");
    mcpJson(ws, { test: stdio([], { env: { PID_FILE: pidFile, ENV_FILE: envFile, GREETING: "${MCP_GREETING:-hello}" } }) });
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__test__echo", { text: "hi" }, "c1")
        .tool("mcp__test__add", { a: 2, b: 3 }, "c2")
        .tool("mcp__test__picture", {}, "c3")
        .tool("mcp__test__add", { a: "two" }, "c4")
        .tool("mcp__test__fail", {}, "c5")
        .tool("mcp__test__flood", {}, "c6"),
      reply().text("All done."),
    ]);
    const credentials = { GITHUB_TOKEN: "secret123", SSH_AUTH_SOCK: "/tmp/agent.sock" };
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "use the tools"], cliOptions(ws, fake, { env: credentials }));
    expect(result.stdout).toContain("All done.");
    expect(result.code).toBe(0);

    const echo = fake.requests[0].tools.find((t: any) => t.function.name === "mcp__test__echo");
    expect(echo.function.description).toBe("Echo the text back (MCP server test)");
    expect(echo.function.parameters.properties.text).toMatchObject({ type: "string", description: "What to echo" });
    expect(echo.function.parameters.$schema).toBeUndefined();
    expect(toolNames(fake.requests[0])).toEqual(expect.arrayContaining(["exec", "mcp__test__add", "mcp__test__crash", "mcp__test__hang"]));

    const [echoed, added, picture, invalid, failed, flood] = toolMessages(fake.requests[1]);
    expect(echoed).toBe("echo: hi");
    expect(added).toBe('added\nstructured content:\n{\n  "sum": 5\n}');
    expect(picture).toContain("[image image/png, 14 bytes, not shown]");
    expect(picture).toContain("[resource file:///notes.txt]\nresource text");
    expect(invalid).toMatch(/^Error: invalid arguments for add \(MCP server test\): .*must be number/);
    expect(failed).toBe("Error: fail (MCP server test) reported an error:\ndisk quota exceeded");
    // Capped like any tool's output, and saved whole where read_file can page through it.
    expect(flood.length).toBeLessThan(60_000);
    const spilled = /is saved in (\S+); page through it with read_file/.exec(flood)?.[1];
    expect(readFileSync(spilled!, "utf8")).toContain("line 5000 ");
    assertValidHistory(fake.requests[1].messages);

    // The allow-listed environment: no API key, but PATH and the server's own (expanded) variables.
    const env = JSON.parse(readFileSync(envFile, "utf8"));
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.GREETING).toBe("hello");
    expect(env.MINI_CLAUDE_MODEL).toBeUndefined();
    expect([env.GITHUB_TOKEN, env.SSH_AUTH_SOCK]).toEqual([undefined, undefined]);

    // The server and the child it started are gone with mini-claude.
    const [serverPid, childPid] = pidsOf(pidFile);
    expect(await eventually(() => !isAlive(serverPid) && !isAlive(childPid), 3000)).toBe(true);
  });

  it("calls of tools the server marks read-only run together; the others one after another; all answered in order", async () => {
    const ws = tempWorkspace();
    mcpJson(ws, { test: stdio() });
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__test__slow_lookup", { id: "r1" }, "c1")
        .tool("mcp__test__slow_lookup", { id: "r2" }, "c2")
        .tool("mcp__test__slow_write", { id: "w1" }, "c3")
        .tool("mcp__test__slow_write", { id: "w2" }, "c4"),
      reply().text("Looked and wrote."),
    ]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "look then write"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const spans = toolMessages(fake.requests[1]).map((text) => text.split(" "));
    expect(spans.map(([id]) => id)).toEqual(["r1", "r2", "w1", "w2"]);
    const [r1, r2, w1, w2] = spans.map(([, start, end]) => ({ start: Number(start), end: Number(end) }));
    // The two reads overlapped; the first write waited for them, the second for the first.
    expect(r2.start).toBeLessThan(r1.end);
    expect(w1.start).toBeGreaterThanOrEqual(Math.max(r1.end, r2.end));
    expect(w2.start).toBeGreaterThanOrEqual(w1.end);
    assertValidHistory(fake.requests[1].messages);
  });

  it("in the REPL, read-only calls that must ask still ask one at a time, each under its own call's line", async () => {
    const ws = tempWorkspace();
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { test: stdio() } }));
    const fake = await fakeOpenAI([
      reply().tool("mcp__test__slow_lookup", { id: "first" }, "c1").tool("mcp__test__slow_lookup", { id: "second" }, "c2"),
      reply().text("Both looked up."),
    ]);
    const pty = await startRepl(["--mcp-config", config], { ...cliOptions(ws, fake), columns: 120 });
    pty.type("look twice\r");
    await pty.waitFor(/Call mcp__test__slow_lookup\?[\s\S]*: $/);
    pty.type("y\r");
    const mark = pty.screen().length;
    await pty.waitFor(/Call mcp__test__slow_lookup\?[\s\S]*: $/, { from: mark });
    pty.type("y\r");
    await pty.waitFor("Both looked up.");
    await pty.quit();
    const screen = pty.screen();
    const at = (text: string, from = 0) => screen.indexOf(text, from);
    const firstLine = at('• mcp__test__slow_lookup {"id":"first"}');
    const firstQuestion = at("Call mcp__test__slow_lookup?", firstLine);
    const secondLine = at('mcp__test__slow_lookup {"id":"second"}', firstQuestion);
    const secondQuestion = at("Call mcp__test__slow_lookup?", secondLine);
    expect([firstLine, firstQuestion, secondLine, secondQuestion].every((i) => i >= 0)).toBe(true);
    expect(toolMessages(fake.requests[1]).map((text) => text.split(" ")[0])).toEqual(["first", "second"]);
  });

  it("refuses an untrusted project server in --print without --trust-project-mcp, and never starts it", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    mcpJson(ws, { test: stdio([], { env: { PID_FILE: pidFile } }) });
    const fake = await fakeOpenAI([reply().text("No MCP here.")]);
    const result = await runCli(["-p", "--yes", "hello"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("MCP server test");
    expect(result.stderr).toContain("not started: the project's servers need your approval");
    expect(toolNames(fake.requests[0]).some((name) => name.startsWith("mcp"))).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });

  it("--print without --yes refuses the call itself, and a bad server entry is one line for the person", async () => {
    const ws = tempWorkspace();
    mcpJson(ws, { test: stdio(), odd: { command: 42 } });
    const fake = await fakeOpenAI([reply().tool("mcp__test__echo", { text: "hi" }), reply().text("ok")]);
    const result = await runCli(["-p", "--trust-project-mcp", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`MCP configuration: ${join(ws.root, ".mcp.json")}: server "odd": "command" must be a string`);
    expect(toolMessages(fake.requests[1])[0]).toBe(
      'Error: not run: it calls echo, a tool of MCP server test, and --print cannot ask the user. Tell the user to re-run with --allowedTools mcp__test__echo (or mcp__test for every tool of that server), or allow it in settings: "permissions": {"allow": ["mcp__test__echo"]}.',
    );
  });

  it("a server that fails to start is one line for the person and a note for the model; the others still work", async () => {
    const ws = tempWorkspace();
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { broken: stdio(["--fail-start"]), good: stdio() } }));
    const fake = await fakeOpenAI([reply().tool("mcp__good__echo", { text: "still here" }), reply().text("ok")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", config, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/MCP server broken failed to start: .*fatal: missing DATABASE_URL/);
    expect(fake.requests[0].messages[1].content).toContain('MCP server "broken" failed to start');
    expect(toolMessages(fake.requests[1])).toEqual(["echo: still here"]);
  });

  it("a server that never answers initialize is given up after startup_timeout_ms and killed", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    mcpJson(ws, { slow: stdio(["--hang-start"], { startup_timeout_ms: 2000, env: { PID_FILE: pidFile } }) });
    const fake = await fakeOpenAI([reply().text("ok")]);
    const started = Date.now();
    const result = await runCli(["-p", "--trust-project-mcp", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(result.stderr).toContain("MCP server slow failed to start: did not start within 2 s");
    const [serverPid, childPid] = pidsOf(pidFile);
    expect(await eventually(() => !isAlive(serverPid) && !isAlive(childPid), 3000)).toBe(true);
  });

  it("a call that never answers times out after tool_timeout_ms and is cancelled at the server", async () => {
    const ws = tempWorkspace();
    const cancelFile = join(ws.outside, "cancelled");
    mcpJson(ws, { test: stdio([], { tool_timeout_ms: 500, env: { CANCEL_FILE: cancelFile } }) });
    const fake = await fakeOpenAI([reply().tool("mcp__test__hang", {}), reply().text("gave up")]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolMessages(fake.requests[1])[0]).toBe(
      'Error: hang on MCP server "test" did not answer within 0.5 s; the request was cancelled. Try something else or ask the user.',
    );
    expect(await eventually(() => existsSync(cancelFile), 3000)).toBe(true);
  });

  it("a server that crashes mid-call is an error observation, and its tools leave the list", async () => {
    const ws = tempWorkspace();
    mcpJson(ws, { test: stdio() });
    const fake = await fakeOpenAI([reply().tool("mcp__test__crash", {}), reply().text("it crashed")]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("it crashed");
    expect(toolMessages(fake.requests[1])[0]).toMatch(/^Error: MCP server "test" stopped during the call/);
    expect(toolNames(fake.requests[1]).some((name) => name.startsWith("mcp__test__"))).toBe(false);
    assertValidHistory(fake.requests[1].messages);
  });

  it("tools/list_changed refreshes the tools the next request offers", async () => {
    const ws = tempWorkspace();
    mcpJson(ws, { test: stdio() });
    const fake = await fakeOpenAI([reply().tool("mcp__test__grow", {}), reply().tool("mcp__test__late_tool", {}), reply().text("done")]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolNames(fake.requests[0])).not.toContain("mcp__test__late_tool");
    expect(toolNames(fake.requests[1])).toContain("mcp__test__late_tool");
    const [grown, late] = toolMessages(fake.requests[2]);
    expect(grown).toMatch(/^added late_tool\n[\s\S]*MCP server "test" now offers: .*late_tool/);
    expect(late).toBe("late tool ran");
  });
});

describe("MCP over streamable HTTP, gateway mode", () => {
  it("calls a tool on an HTTP server named with ${VAR} expansion", async () => {
    const ws = tempWorkspace();
    const port = await startHttpServer(ws);
    mcpJson(ws, { web: { type: "http", url: "http://127.0.0.1:${MCP_PORT}/mcp", headers: { "X-Token": "${MCP_TOKEN:-none}" }, exclude_tools: ["crash"] } });
    const fake = await fakeOpenAI([reply().tool("mcp__web__echo", { text: "over http" }), reply().text("done")]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "go"], cliOptions(ws, fake, { env: { MCP_PORT: String(port) } }));
    expect(result.code).toBe(0);
    expect(toolMessages(fake.requests[1])).toEqual(["echo: over http"]);
    expect(toolNames(fake.requests[0])).toContain("mcp__web__hang");
    expect(toolNames(fake.requests[0])).not.toContain("mcp__web__crash");
  });

  it("over the budget, the model gets mcp_search and mcp_call instead, with local argument validation", async () => {
    const ws = tempWorkspace();
    mcpJson(ws, { big: stdio(["--tools", "40"]) });
    const fake = await fakeOpenAI([
      reply().tool("mcp_search", { query: "tool_7" }),
      reply()
        .tool("mcp_call", { server: "big", tool: "tool_7", arguments: { id: "A-1" } })
        .tool("mcp_call", { server: "big", tool: "tool_7", arguments: {} })
        .tool("mcp_call", { server: "big", tool: "tool_9", arguments: '{"id":"B-2"}' }),
      reply().text("done"),
    ]);
    const result = await runCli(["-p", "--yes", "--trust-project-mcp", "--context-window", "16k", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const names = toolNames(fake.requests[0]);
    expect(names).toEqual(expect.arrayContaining(["mcp_search", "mcp_call"]));
    expect(names.some((name) => name.startsWith("mcp__"))).toBe(false);
    const [found] = toolMessages(fake.requests[1]);
    expect(found.split("\n\n")[0]).toMatch(/^server: big\ntool: tool_7\ndescription: Tool number 7: .*\ninput schema: \{.*"required":\["id"\]/);
    const [called, invalid, stringArgs] = toolMessages(fake.requests[2]).slice(1);
    expect(called).toBe("record 7: A-1");
    expect(stringArgs).toBe("record 9: B-2");
    expect(invalid).toMatch(/^Error: invalid arguments for tool_7 \(MCP server big\): .*must have required property 'id'/);
    // The tools array is the same in every request: the provider's prompt cache keeps hitting.
    expect(fake.requests[2].tools).toEqual(fake.requests[0].tools);
  });
});

describe("MCP in the REPL", () => {
  it("asks once to trust a project server, Ctrl-C cancels a call at the server, /mcp lists it, and exit leaves no process", async () => {
    const ws = tempWorkspace();
    const pidFile = join(ws.outside, "pids");
    const cancelFile = join(ws.outside, "cancelled");
    const hangFile = join(ws.outside, "hanging");
    mcpJson(ws, { test: stdio([], { env: { PID_FILE: pidFile, CANCEL_FILE: cancelFile, HANG_FILE: hangFile } }) });
    const fake = await fakeOpenAI([reply().tool("mcp__test__hang", {}, "call_hang"), reply().text("Second answer.")]);
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("wait for it\r");
    await pty.waitFor(/This project's MCP server test would run:\n\s+.*mcp-test-server\.mjs\nStart it\? \(asked once\)/);
    pty.type("y\r");
    await pty.waitFor("Call:\n  test/hang {}\nAsking because it calls hang, a tool of MCP server test.\nCall mcp__test__hang?");
    pty.type("y\r");
    // The call is now waiting on the server, which never answers.
    expect(await eventually(() => existsSync(hangFile), 10_000)).toBe(true);
    let mark = pty.screen().length;
    pty.type("\x03");
    await pty.waitFor(/Interrupted/, { from: mark });
    expect(await eventually(() => existsSync(cancelFile), 3000)).toBe(true);
    mark = pty.screen().length;
    pty.type("/mcp\r");
    await pty.waitFor(/test · ready · stdio · 10 tools · ~\d+ tokens/, { from: mark });
    const [firstPid, firstChild] = pidsOf(pidFile);
    pty.type("/mcp reconnect test\r");
    await pty.waitFor("MCP server test reconnected: 10 tools.", { from: mark });
    expect(await eventually(() => !isAlive(firstPid) && !isAlive(firstChild), 3000)).toBe(true);
    // The answer is remembered outside the workspace, so the next request does not ask again.
    pty.type("again\r");
    await pty.waitFor("Second answer.", { from: mark });
    expect(pty.screen().slice(mark)).not.toContain("This project's MCP server");
    expect(existsSync(join(ws.home, "mcp-trust.json"))).toBe(true);
    pty.type("\x04");
    expect((await pty.done).code).toBe(0);
    assertValidHistory(fake.requests[1].messages);
    const [serverPid, childPid] = pidsOf(pidFile);
    expect(await eventually(() => !isAlive(serverPid) && !isAlive(childPid), 3000)).toBe(true);
  });
});

describe("MCP and compaction", () => {
  it("a summary keeps which gateway tools exist, although the search results it replaced named them", async () => {
    const ws = tempWorkspace();
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { big: stdio(["--tools", "40"]) } }));
    const fake = await fakeOpenAI([
      reply().tool("mcp_search", { query: "inventory" }),
      reply().text("Found them."),
      reply().text("Noted."),
      reply().text("SUMMARY: looked at inventory tools."),
      reply().text("Still here."),
    ]);
    const stdin = "find inventory tools\nthanks\n/compact\nwhat next?\n";
    const result = await runCli(["--mcp-config", config, "--context-window", "16k"], cliOptions(ws, fake, { stdin }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Still here.");
    const summary = fake.requests[4].messages[1].content;
    expect(summary).toContain("SUMMARY: looked at inventory tools.");
    expect(summary).toMatch(/- MCP tools, found with mcp_search and called with mcp_call: big: echo, add, .*tool_0, tool_1/);
    expect(fake.requests[4].tools).toEqual(fake.requests[0].tools);
  });
});

/** The test server over HTTP on 127.0.0.1, killed when the test ends. */
async function startHttpServer(ws: TempWorkspace): Promise<number> {
  const portFile = join(ws.outside, "port");
  const child = spawn(process.execPath, [SERVER, "--http", portFile], { stdio: "ignore" });
  onTestFinished(() => void child.kill("SIGKILL"));
  if (!(await eventually(() => existsSync(portFile) && readFileSync(portFile, "utf8").length > 0, 5000))) throw new Error("HTTP MCP server did not start");
  return Number(readFileSync(portFile, "utf8"));
}
