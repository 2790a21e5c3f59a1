import { spawn } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli, startCli } from "../support/run-cli.js";
import { EVERYTHING, realServers } from "../support/real-mcp-servers.js";
import { tempWorkspace } from "../support/workspace.js";

/** The published servers (server-everything over stdio and streamable HTTP, -memory, -filesystem) driven through the fake model. */

const fakeOpenAI = useFakeOpenAI();
const toolNames = (request: any): string[] => (request.tools ?? []).map((t: any) => t.function.name);
const toolMessages = (request: any): string[] => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);
/** The `└` lines --print shows the person on stderr, in order. */
const outcomeLines = (stderr: string) => stderr.split("\n").filter((line) => line.trimStart().startsWith("└")).map((line) => line.trim());

describe("real MCP servers from npm", () => {
  it("server-everything, -memory and -filesystem over stdio: images, structured content, JSON, resources, a long operation, errors; a tasks-only tool is not offered", async () => {
    const ws = tempWorkspace({ "notes.txt": "remember the milk\n" });
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: realServers(ws.root, join(ws.outside, "memory")) }));
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__everything__get-tiny-image", {}, "c1")
        .tool("mcp__everything__get-structured-content", { location: "Chicago" }, "c2")
        .tool("mcp__memory__create_entities", { entities: [{ name: "Ada", entityType: "person", observations: ["wrote the first program"] }] }, "c3")
        .tool("mcp__memory__read_graph", {}, "c4")
        .tool("mcp__files__read_text_file", { path: join(ws.root, "notes.txt") }, "c5")
        .tool("mcp__files__read_text_file", { path: "/etc/hostname" }, "c6")
        .tool("mcp__everything__get-resource-reference", { resourceType: "Text", resourceId: 2 }, "c7")
        .tool("mcp__everything__get-resource-links", { count: 2 }, "c8")
        .tool("mcp__everything__trigger-long-running-operation", { duration: 0.2, steps: 2 }, "c9"),
      reply().text("Used them all."),
    ]);
    const result = await runCli(["-p", "--yes", "--context-window", "400k", "--mcp-config", config, "go"], cliOptions(ws, fake, { timeoutMs: 40_000 }));
    expect(result.code).toBe(0);
    const offered = toolNames(fake.requests[0]);
    expect(offered).toEqual(expect.arrayContaining(["mcp__everything__echo", "mcp__memory__search_nodes", "mcp__files__list_directory"]));
    // simulate-research-query runs only as a task (execution.taskSupport "required"): a plain call would always fail.
    expect(offered.some((name) => name.includes("simulate-research-query"))).toBe(false);

    const [image, weather, created, graph, notes, outside, resource, links, long] = toolMessages(fake.requests[1]);
    expect(image).toMatch(/\[image image\/png, \d+ bytes, not shown\]/);
    expect(JSON.parse(weather)).toEqual({ temperature: 36, conditions: "Light rain / drizzle", humidity: 82 });
    expect(created).toContain('"name": "Ada"');
    expect(JSON.parse(graph).entities).toEqual([{ name: "Ada", entityType: "person", observations: ["wrote the first program"] }]);
    expect(notes).toBe("remember the milk\n".trim());
    expect(outside).toMatch(/^Error: read_text_file \(MCP server files\) reported an error:\nAccess denied - path outside allowed directories/);
    expect(resource).toMatch(/^Returning resource reference for Resource 2:\n\[resource demo:\/\/resource\/dynamic\/text\/2\]\nResource 2: This is a plaintext resource/);
    // A resource link says how to read it (mcp_resources, offered while a server has resources).
    expect(links).toContain('[resource link demo://resource/dynamic/blob/1 (Blob Resource 1), text/plain; read it with mcp_resources {"action":"read","server":"everything","uri":"demo://resource/dynamic/blob/1"}]');
    expect(links).toContain('[resource link demo://resource/dynamic/text/2 (Text Resource 2), text/plain; read it with mcp_resources {"action":"read","server":"everything","uri":"demo://resource/dynamic/text/2"}]');
    expect(long).toBe("Long running operation completed. Duration: 0.2 seconds, Steps: 2.");
    assertValidHistory(fake.requests[1].messages);

    const lines = outcomeLines(result.stderr);
    expect(lines[1]).toMatch(/^└ temperature: 36, conditions: Light rain \/ drizzle, humidity: 82 · \d+\.\ds$/);
    expect(lines[3]).toMatch(/^└ entities: 1 item, relations: none · /);
    expect(lines[5]).toMatch(/^└ Error: read_text_file \(MCP server files\) reported an error: Access denied - path outside allowed directories/);
    expect(lines.some((line) => line.startsWith("└ {"))).toBe(false);
  }, 60_000);

  it("/mcp names the tools left out because they need the tasks API", async () => {
    const ws = tempWorkspace();
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { everything: realServers(ws.root, join(ws.outside, "memory")).everything } }));
    const fake = await fakeOpenAI([reply().text("Started.")]);
    const cli = startCli(["--mcp-config", config], { ...cliOptions(ws, fake), stdin: "open" });
    cli.child.stdin!.write("hello\n");
    await cli.waitFor("Started.", 20_000);
    cli.child.stdin!.write("/mcp\n");
    await cli.waitFor(/everything · ready · stdio · \d+ tools · ~\d+ tokens · not offered \(they need the MCP tasks API\): simulate-research-query\n/, 10_000);
    cli.child.stdin!.end();
    expect((await cli.done).code).toBe(0);
  }, 40_000);

  it("server-everything over streamable HTTP: images, structured content, resources, a long operation, errors, as over stdio", async () => {
    const ws = tempWorkspace();
    const port = await startEverythingOverHttp();
    const config = join(ws.outside, "mcp.json");
    writeFileSync(config, JSON.stringify({ mcpServers: { web: { type: "http", url: `http://127.0.0.1:${port}/mcp` } } }));
    const fake = await fakeOpenAI([
      reply()
        .tool("mcp__web__echo", { message: "over http" }, "c1")
        .tool("mcp__web__get-sum", { a: 2, b: 40 }, "c2")
        .tool("mcp__web__get-tiny-image", {}, "c3")
        .tool("mcp__web__get-structured-content", { location: "New York" }, "c4")
        .tool("mcp__web__get-resource-reference", { resourceType: "Blob", resourceId: 1 }, "c5")
        .tool("mcp__web__trigger-long-running-operation", { duration: 0.2, steps: 2 }, "c6")
        .tool("mcp__web__get-sum", { a: "two", b: 40 }, "c7")
        .tool("mcp__web__get-resource-reference", { resourceType: "Text", resourceId: 0 }, "c8"),
      reply().text("done"),
    ]);
    const result = await runCli(["-p", "--yes", "--mcp-config", config, "go"], cliOptions(ws, fake, { timeoutMs: 40_000 }));
    expect(result.code).toBe(0);
    const [echo, sum, image, weather, blob, long, wrongType, refused] = toolMessages(fake.requests[1]);
    expect(echo).toBe("Echo: over http");
    expect(sum).toContain("42");
    expect(image).toMatch(/\[image image\/png, \d+ bytes, not shown\]/);
    expect(JSON.parse(weather)).toEqual({ temperature: 33, conditions: "Cloudy", humidity: 82 });
    expect(blob).toMatch(/^Returning resource reference for Resource 1:\n\[resource demo:\/\/resource\/dynamic\/blob\/1, text\/plain, \d+ bytes of binary data, not shown\]/);
    expect(long).toBe("Long running operation completed. Duration: 0.2 seconds, Steps: 2.");
    // A wrong argument type is caught against the tool's schema before the call; a refusal comes from the server itself.
    expect(wrongType).toMatch(/^Error: invalid arguments for get-sum \(MCP server web\): data\/a must be number\nSchema: /);
    expect(refused).toBe("Error: get-resource-reference (MCP server web) reported an error:\nInvalid resourceId: 0. Must be a finite positive integer.");
    assertValidHistory(fake.requests[1].messages);
    const lines = outcomeLines(result.stderr);
    expect(lines[3]).toMatch(/^└ temperature: 33, conditions: Cloudy, humidity: 82 · /);
    expect(lines[7]).toBe("└ Error: get-resource-reference (MCP server web) reported an error: Invalid resourceId: 0. Must be a finite positive integer.");
  }, 60_000);
});

/**
 * server-everything's streamable HTTP mode on a free port, killed when the test ends. Ready when it says it listens;
 * if another process took the port in between, it exits and a fresh port is tried.
 */
async function startEverythingOverHttp(): Promise<number> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING, "streamableHttp"], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
    onTestFinished(() => void child.kill("SIGKILL"));
    const listening = await new Promise<boolean>((resolve) => {
      let stderr = "";
      child.stderr!.setEncoding("utf8").on("data", (data) => {
        stderr += data;
        if (stderr.includes(`listening on port ${port}`)) resolve(true);
      });
      child.once("exit", () => resolve(false));
    });
    if (listening) return port;
  }
  throw new Error("server-everything over HTTP did not start");
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
