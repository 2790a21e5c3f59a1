import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";

/** Permission rules mcp__server__tool and mcp__server in --print; the REPL's own words for an MCP tool's question. */

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

function userConfig(ws: TempWorkspace): string {
  const file = join(ws.outside, "mcp.json");
  writeFileSync(file, JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [SERVER] }, other: { command: process.execPath, args: [SERVER] } } }));
  return file;
}

describe("MCP approvals", () => {
  it("--print without --yes: mcp__server__tool allows one tool, mcp__server a whole server, a deny rule wins, the rest is refused saying how to allow it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__test__echo", { text: "allowed" }, "c1")
        .tool("mcp__test__add", { a: 1, b: 2 }, "c2")
        .tool("mcp__other__echo", { text: "whole server" }, "c3")
        .tool("mcp__other__add", { a: 2, b: 2 }, "c4")
        .tool("mcp__other__fail", {}, "c5"),
      reply().text("done"),
    ]);
    const args = ["-p", "--mcp-config", userConfig(ws), "--allowedTools", "mcp__test__echo,mcp__other", "--disallowedTools", "mcp__other__fail", "go"];
    const result = await runCli(args, cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [echo, add, otherEcho, otherAdd, fail] = toolMessages(fake.requests[1]);
    expect([echo, otherEcho, otherAdd]).toEqual(["echo: allowed", "echo: whole server", 'added\nstructured content:\n{\n  "sum": 4\n}']);
    expect(add).toBe(
      "Error: not run: it calls add, a tool of MCP server test, and --print cannot ask the user. Tell the user to re-run with --allowedTools mcp__test__add (or mcp__test for every tool of that server), or allow it in settings: \"permissions\": {\"allow\": [\"mcp__test__add\"]}.",
    );
    // A bare name in --disallowedTools takes the tool out of the session, as Claude Code does.
    expect(fail).toBe("Error: mcp__other__fail is not available in this session (--tools / --disallowedTools).");
  });

  it("the REPL asks with words of its own: s allows every tool of that server for the session, and no other server's", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("mcp__test__echo", { text: "one" }, "c1"),
      reply().tool("mcp__test__add", { a: 1, b: 1 }, "c2").tool("mcp__other__echo", { text: "three" }, "c3"),
      reply().text("All three."),
    ]);
    const pty = await startRepl(["--mcp-config", userConfig(ws)], { ...cliOptions(ws, fake), columns: 160 });
    pty.type("go\r");
    await pty.waitFor("Call mcp__test__echo? [y]es once / [a]lways for this tool / [s]erver: always for every tool of test / [n]o (add a reason): ");
    pty.type("s\r");
    await pty.waitFor("Allowed every tool of MCP server test for this session (/approvals to revoke).");
    // add, of the same server, runs without a question; other's echo still asks.
    await pty.waitFor("Call mcp__other__echo? [y]es once");
    pty.type("y\r");
    await pty.waitFor("All three.");
    await pty.quit();
    expect(pty.screen()).not.toContain("Call mcp__test__add?");
    expect(toolMessages(fake.requests[2]).slice(1)).toEqual(['added\nstructured content:\n{\n  "sum": 2\n}', "echo: three"]);
  });
});
