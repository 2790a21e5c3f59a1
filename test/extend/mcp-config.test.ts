import { describe, expect, it } from "vitest";
import { expandVars, loadMcpConfig } from "../../src/extend/mcp/config.js";
import { directToolName } from "../../src/extend/mcp/names.js";
import { tempWorkspace } from "../support/workspace.js";

describe("MCP configuration", () => {
  it("reads the user's mcp.json and the workspace's .mcp.json, with defaults, filters and ${VAR} expansion", () => {
    const ws = tempWorkspace({
      ".mcp.json": JSON.stringify({
        mcpServers: {
          files: { command: "npx", args: ["-y", "server-files", "${ROOT:-/srv}"], env: { TOKEN: "${TOKEN}" }, tool_timeout_ms: 5000 },
          web: { type: "http", url: "https://${HOST}/mcp", headers: { Authorization: "Bearer ${TOKEN}" }, include_tools: ["search"] },
          off: { command: "x", enabled: false },
          bad: { type: "websocket", url: "wss://x" },
          legacy: { type: "sse", url: "https://x/sse", oauth: { scope: "read" } },
        },
      }),
    });
    const { servers, problems } = loadMcpConfig({ workspace: ws.root, configDir: ws.home, env: { TOKEN: "t0k", HOST: "example.org" } });
    expect(servers.map((s) => s.name)).toEqual(["files", "web", "legacy"]);
    expect(servers[0]).toMatchObject({ transport: "stdio", origin: "project", args: ["-y", "server-files", "/srv"], env: { TOKEN: "t0k" }, toolTimeoutMs: 5000, startupTimeoutMs: 10_000 });
    expect(servers[1]).toMatchObject({ transport: "http", url: "https://example.org/mcp", headers: { Authorization: "Bearer t0k" }, includeTools: ["search"] });
    expect(servers[2]).toMatchObject({ transport: "sse", url: "https://x/sse", oauth: { scope: "read" } });
    expect(problems).toEqual([expect.stringContaining(`server "bad": type "websocket" is not supported (use "stdio", "http" or "sse")`)]);
  });

  it("expands ${VAR} and ${VAR:-default}, an unset variable to empty, and says which were unset", () => {
    const unset: string[] = [];
    expect(expandVars("${A}-${B:-two}-${C}", { A: "one" }, (name) => unset.push(name))).toBe("one-two-");
    expect(unset).toEqual(["C"]);
  });

  it("warns of an unknown field and an unset variable once per server, and still loads it", () => {
    const ws = tempWorkspace({ ".mcp.json": JSON.stringify({ mcpServers: { s: { command: "run", args: ["${KEY}", "${KEY}"], comand: "typo" } } }) });
    const { servers, problems, warnings } = loadMcpConfig({ workspace: ws.root, configDir: ws.home, env: {} });
    const file = `${ws.root}/.mcp.json`;
    expect([servers.length, problems]).toEqual([1, []]);
    expect(warnings).toEqual([`${file}: server "s": unknown field "comand" (ignored)`, `${file}: server "s": \${KEY} is not set, so it is empty`]);
  });
});

describe("MCP tool names", () => {
  it("are mcp__server__tool, cleaned to [a-zA-Z0-9_-], at most 64 characters, and never collide", () => {
    expect(directToolName("github", "create_issue")).toBe("mcp__github__create_issue");
    const cleaned = directToolName("my.server", "do thing");
    expect(cleaned).toMatch(/^mcp__my_server__do_thing_[0-9a-f]{8}$/);
    expect(directToolName("my_server", "do_thing")).not.toBe(cleaned);
    const long = "x".repeat(80);
    const a = directToolName("srv", `${long}a`);
    const b = directToolName("srv", `${long}b`);
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(a).not.toBe(b);
    // "a__b"/"c" and "a"/"b__c" would both be mcp__a__b__c: the second gets a hash.
    const first = directToolName("a__b", "c");
    expect(directToolName("a", "b__c", new Set([first]))).toMatch(/^mcp__a__b__c_[0-9a-f]{8}$/);
  });
});
