import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

// Remote MCP servers: the OAuth login (a real authorization server from the SDK's server side,
// with a $BROWSER that follows the authorization URL), tokens on disk and their refresh, and the
// HTTP lifecycle (DELETE at exit, a forgotten session, the legacy SSE transport).

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/oauth-mcp-server.mjs", import.meta.url));
const BROWSER = `${process.execPath} ${fileURLToPath(new URL("../support/follow-browser.mjs", import.meta.url))}`;

interface Remote {
  port: number;
  events: () => Array<Record<string, any>>;
}

/** The test server on 127.0.0.1, killed when the test ends. */
async function startServer(ws: TempWorkspace, flags: string[] = []): Promise<Remote> {
  const portFile = join(ws.outside, "port");
  const eventsFile = join(ws.outside, "events");
  writeFileSync(eventsFile, "");
  const child = spawn(process.execPath, [SERVER, portFile, eventsFile, ...flags], { stdio: "ignore" });
  onTestFinished(() => void child.kill("SIGKILL"));
  if (!(await eventually(() => existsSync(portFile) && readFileSync(portFile, "utf8").length > 0, 10_000))) throw new Error("OAuth MCP server did not start");
  const events = () => readFileSync(eventsFile, "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
  return { port: Number(readFileSync(portFile, "utf8")), events };
}

/** A user MCP config (trusted) naming the server; returns its path. */
function config(ws: TempWorkspace, server: object): string {
  const file = join(ws.outside, "mcp.json");
  writeFileSync(file, JSON.stringify({ mcpServers: { sec: server } }));
  return file;
}

const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
const toolNames = (request: any): string[] => (request.tools ?? []).map((t: any) => t.function.name);

describe("MCP OAuth", () => {
  it("mcp login runs the flow in the browser; the tokens (0600) serve the next runs, are refreshed after expiry, and never reach the model", async () => {
    const ws = tempWorkspace();
    const remote = await startServer(ws, ["--token-seconds", "3"]);
    const file = config(ws, { type: "http", url: `http://127.0.0.1:${remote.port}/mcp` });
    const browserLog = join(ws.outside, "browser.log");
    const login = await runCli(["mcp", "login", "sec", "--mcp-config", file], cliOptions(ws, undefined, { env: { BROWSER, BROWSER_LOG: browserLog } }));
    expect(login.stdout).toMatch(/^Log in to MCP server sec in the browser that opened, or open http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+\nMCP server sec: logged in; 3 tools\.\n$/);
    expect(login.code).toBe(0);
    // The URL the browser was sent to: PKCE S256, the resource indicator, the scope the server supports, a loopback callback.
    const authorize = new URL(readFileSync(browserLog, "utf8").split("\n")[0]);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("resource")).toBe(`http://127.0.0.1:${remote.port}/mcp`);
    expect(authorize.searchParams.get("scope")).toBe("mcp:tools");
    expect(authorize.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const tokenFile = join(ws.home, "mcp-oauth.json");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(tokenFile, "utf8")).servers[`http://127.0.0.1:${remote.port}/mcp`];
    expect(stored.tokens.refresh_token).toBeTruthy();
    const loginTime = Date.now();

    // The next run uses the saved tokens: no browser, no new authorization.
    const fake = await fakeOpenAI([reply().tool("mcp__sec__whoami", {}), reply().text("You are the registered client.")]);
    const reuse = await runCli(["-p", "--yes", "--mcp-config", file, "who am I?"], cliOptions(ws, fake));
    expect(reuse.stdout).toContain("You are the registered client.");
    expect(reuse.stderr).not.toMatch(/Log in|needs a login/);
    expect(toolMessages(fake.requests[1])).toEqual([`client ${stored.client.client_id}`]);
    expect(JSON.stringify(fake.requests)).not.toContain(stored.tokens.access_token);
    expect(remote.events().filter((e) => e.type === "authorize")).toHaveLength(1);

    // Expired: refreshed with the refresh token, still without a browser.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, loginTime + 3500 - Date.now())));
    const later = await fakeOpenAI([reply().tool("mcp__sec__echo", { text: "still here" }), reply().text("Refreshed.")]);
    const refreshed = await runCli(["-p", "--yes", "--mcp-config", file, "again"], cliOptions(ws, later));
    expect(refreshed.stdout).toContain("Refreshed.");
    expect(refreshed.stderr).not.toMatch(/Log in|needs a login/);
    expect(toolMessages(later.requests[1])).toEqual(["echo: still here"]);
    // (A slow run may outlive the 3-second token and refresh twice.)
    const [first, ...rest] = remote.events().filter((e) => e.type === "token").map((e) => e.grant);
    expect(first).toBe("authorization_code");
    expect(rest.length).toBeGreaterThan(0);
    expect(new Set(rest)).toEqual(new Set(["refresh_token"]));
    expect(remote.events().filter((e) => e.type === "authorize")).toHaveLength(1);
    // Every run ended its HTTP session with a DELETE the server recognised.
    expect(remote.events().filter((e) => e.type === "delete" && e.known)).toHaveLength(3);
  });

  it("--print without a browser says in one line how to log in, and answers without that server", async () => {
    const ws = tempWorkspace();
    const remote = await startServer(ws);
    const file = config(ws, { type: "http", url: `http://127.0.0.1:${remote.port}/mcp` });
    const fake = await fakeOpenAI([reply().text("Answered without it.")]);
    const result = await runCli(["-p", "--mcp-config", file, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Answered without it.");
    expect(result.stderr).toBe("MCP server sec needs a login: run `mini-claude mcp login sec`; continuing without it.\n");
    expect(toolNames(fake.requests[0]).some((name) => name.startsWith("mcp__"))).toBe(false);
    expect(JSON.stringify(fake.requests[0].messages)).toContain('MCP server \\"sec\\" is unavailable: it needs the user to log in.');
    expect(existsSync(join(ws.home, "mcp-oauth.json"))).toBe(false);
  });

  it("--print with a browser logs in by itself, printing the URL, and the REPL's /mcp logout deletes the tokens", async () => {
    const ws = tempWorkspace();
    const remote = await startServer(ws);
    const file = config(ws, { type: "http", url: `http://127.0.0.1:${remote.port}/mcp` });
    const fake = await fakeOpenAI([reply().tool("mcp__sec__echo", { text: "signed in" }), reply().text("Done.")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", file, "go"], cliOptions(ws, fake, { env: { BROWSER } }));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Log in to MCP server sec in the browser that opened, or open http:\/\/127\.0\.0\.1:\d+\/authorize\?/);
    expect(toolMessages(fake.requests[1])).toEqual(["echo: signed in"]);
    expect(existsSync(join(ws.home, "mcp-oauth.json"))).toBe(true);

    const repl = await runCli(["--mcp-config", file], cliOptions(ws, fake, { stdin: "/mcp logout sec\n/mcp logout sec\n" }));
    expect(repl.stdout).toContain("MCP server sec: logged out; its tokens are deleted.");
    expect(repl.stdout).toContain("MCP server sec: no login was saved.");
    expect(existsSync(join(ws.home, "mcp-oauth.json"))).toBe(false);
  });
});

describe("MCP over HTTP: the session's lifecycle", () => {
  it("a server that forgot the session is initialised again and the call retried once", async () => {
    const ws = tempWorkspace();
    const remote = await startServer(ws, ["--open"]);
    const file = config(ws, { type: "http", url: `http://127.0.0.1:${remote.port}/mcp` });
    const fake = await fakeOpenAI([reply().tool("mcp__sec__forget_sessions", {}), reply().tool("mcp__sec__echo", { text: "after restart" }), reply().text("Done.")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", file, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolMessages(fake.requests[2])).toEqual(["forgetting", "echo: after restart"]);
    const posts = remote.events().filter((e) => e.type === "mcp" && e.http === "POST" && e.method !== "notifications/initialized");
    expect(posts.map((e) => `${e.method} ${e.status}`)).toEqual(["initialize 200", "tools/list 200", "tools/call 200", "tools/call 404", "initialize 200", "tools/list 200", "tools/call 200"]);
  });

  it('a "type": "sse" server (the legacy HTTP+SSE transport) serves its tools', async () => {
    const ws = tempWorkspace();
    const remote = await startServer(ws, ["--open"]);
    const file = config(ws, { type: "sse", url: `http://127.0.0.1:${remote.port}/sse` });
    const fake = await fakeOpenAI([reply().tool("mcp__sec__echo", { text: "over sse" }), reply().text("Done.")]);
    const result = await runCli(["-p", "--yes", "--mcp-config", file, "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(toolMessages(fake.requests[1])).toEqual(["echo: over sse"]);
    expect(remote.events().filter((e) => e.type === "sse")).toHaveLength(1);
  });
});
