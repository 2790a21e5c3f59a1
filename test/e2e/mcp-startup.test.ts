import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

/**
 * A local MCP server's start is not on the first request's path once its tools are known from its
 * last start (extend/mcp/tool-cache.ts): the request goes out with them while the server starts,
 * and a call waits for it.
 */

const fakeOpenAI = useFakeOpenAI();
const SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));
const toolNames = (request: any): string[] => (request.tools ?? []).map((t: any) => t.function.name);

describe("a known MCP server starts beside the first request", () => {
  it("the second run offers the remembered tools before the server is up; a call waits for it; a changed server is listed afresh", async () => {
    const ws = tempWorkspace();
    const delayFile = join(ws.outside, "delay");
    const readyFile = join(ws.outside, "ready");
    const config = join(ws.outside, "mcp.json");
    const write = (args: string[] = []) =>
      writeFileSync(config, JSON.stringify({ mcpServers: { test: { command: process.execPath, args: [SERVER, ...args], env: { START_DELAY_FILE: delayFile, READY_FILE: readyFile } } } }));
    write();

    // First run: nothing is known, so the request waits for the server's list.
    const first = await fakeOpenAI([reply().text("Hello.")]);
    expect((await runCli(["-p", "--mcp-config", config, "hi"], cliOptions(ws, first))).code).toBe(0);
    expect(toolNames(first.requests[0])).toContain("mcp__test__echo");

    // Second run: the server now takes 2 s to answer; the request must not wait for it.
    rmSync(readyFile);
    writeFileSync(delayFile, "2000");
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const second = await fakeOpenAI([reply().after(gate).tool("mcp__test__echo", { text: "hi" }, "c1"), reply().text("It echoed.")]);
    const running = startCli(["-p", "--mcp-config", config, "--allowedTools", "mcp__test", "echo hi"], cliOptions(ws, second));
    await eventually(() => second.requests.length === 1, 10_000);
    expect(existsSync(readyFile)).toBe(false);
    expect(toolNames(second.requests[0])).toContain("mcp__test__echo");
    open();
    const result = await running.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("It echoed.\n");
    // The call waited for the server instead of failing.
    const answer = second.requests[1].messages.find((m: any) => m.role === "tool");
    expect(answer.content).toContain("echo: hi");
    assertValidHistory(second.requests[1].messages);

    // A changed command (here one that adds 3 tools) is not the server that was remembered: it is waited for.
    write(["--tools", "3"]);
    rmSync(delayFile);
    const third = await fakeOpenAI([reply().text("Done.")]);
    expect((await runCli(["-p", "--mcp-config", config, "hi"], cliOptions(ws, third))).code).toBe(0);
    expect(toolNames(third.requests[0]).filter((name) => name.startsWith("mcp__test__")).length).toBeGreaterThan(toolNames(second.requests[0]).filter((name) => name.startsWith("mcp__test__")).length);
  });
});
