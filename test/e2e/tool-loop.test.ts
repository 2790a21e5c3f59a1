import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertValidHistory } from "../../src/model/history.js";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const toolMessages = (request: any) => request.messages.filter((m: any) => m.role === "tool");

describe("the tool loop, end to end", () => {
  it("reads, edits and answers; each request carries one tool message per call id", async () => {
    const ws = tempWorkspace({ "src/greet.js": "export const greet = (name) => `Hi ${name}`;\n" });
    const fake = await fakeOpenAI([
      reply().text("Let me look.").tool("read_file", { path: "src/greet.js" }, "call_read"),
      reply().tool("edit_file", { path: "src/greet.js", old_string: "`Hi ${name}`", new_string: "`Hello, ${name}!`" }, "call_edit"),
      reply().text("Changed the greeting to Hello."),
    ]);
    const result = await runCli(["-p", "make the greeting friendlier"], cliOptions(ws, fake));
    expect(result).toMatchObject({ code: 0, stdout: "Changed the greeting to Hello.\n" });
    expect(ws.read("src/greet.js")).toBe("export const greet = (name) => `Hello, ${name}!`;\n");

    const [, second, third] = fake.requests;
    expect(second.messages.at(-2)).toMatchObject({
      role: "assistant",
      content: "Let me look.",
      tool_calls: [{ id: "call_read", type: "function", function: { name: "read_file", arguments: '{"path":"src/greet.js"}' } }],
    });
    expect(toolMessages(second)).toEqual([
      { role: "tool", tool_call_id: "call_read", content: "1\texport const greet = (name) => `Hi ${name}`;" },
    ]);
    expect(toolMessages(third).map((m: any) => m.tool_call_id)).toEqual(["call_read", "call_edit"]);
    expect(toolMessages(third)[1].content).toMatch(/^Edited src\/greet.js: replaced 1 occurrence\./);
    for (const request of fake.requests) assertValidHistory(request.messages);
  });

  it("answers parallel calls in order, each once", async () => {
    const ws = tempWorkspace({ "a.txt": "A", "b.txt": "B" });
    const fake = await fakeOpenAI([
      reply().tool("read_file", { path: "a.txt" }, "c1").tool("read_file", { path: "b.txt" }, "c2"),
      reply().text("A and B."),
    ]);
    await runCli(["-p", "read both"], cliOptions(ws, fake));
    expect(toolMessages(fake.requests[1])).toEqual([
      { role: "tool", tool_call_id: "c1", content: "1\tA" },
      { role: "tool", tool_call_id: "c2", content: "1\tB" },
    ]);
  });

  it("tells the model about bad arguments and unknown tools, and goes on", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().rawTool("read_file", '{"path": "a.txt"', "bad1").tool("launch_rockets", {}, "bad2").tool("write_file", { path: 7 }, "bad3"),
      reply().text("Sorry, fixed."),
    ]);
    const result = await runCli(["-p", "go"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [badJson, unknown, badSchema] = toolMessages(fake.requests[1]).map((m: any) => m.content);
    expect(badJson).toMatch(/^Error: the arguments for read_file are not valid JSON\. Received: /);
    expect(unknown).toMatch(/^Error: unknown tool "launch_rockets"\. Available tools: read_file, write_file, edit_file/);
    expect(badSchema).toBe('Error: invalid arguments for write_file:\npath: Expected string, received number\ncontent: Required\nReceived: "{\\"path\\":7}"');
  });

  it("keeps every path inside the workspace: the outside file is untouched and never reaches the model", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.outside, "secret.txt"), "TOP-SECRET-VALUE");
    const fake = await fakeOpenAI([
      reply()
        .tool("read_file", { path: "../outside/secret.txt" }, "r1")
        .tool("read_file", { path: join(ws.outside, "secret.txt") }, "r2")
        .tool("write_file", { path: "../outside/secret.txt", content: "overwritten" }, "w1")
        .tool("edit_file", { path: "../outside/secret.txt", old_string: "TOP", new_string: "BOTTOM" }, "e1")
        .tool("grep", { pattern: "SECRET", path: ".." }, "g1"),
      reply().text("I cannot reach that file."),
    ]);
    const result = await runCli(["-p", "steal it"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(join(ws.outside, "secret.txt"), "utf8")).toBe("TOP-SECRET-VALUE");
    expect(JSON.stringify(fake.requests)).not.toContain("TOP-SECRET-VALUE");
    for (const message of toolMessages(fake.requests[1])) expect(message.content).toContain(`outside the workspace ${ws.root}`);
    expect(existsSync(join(ws.root, "secret.txt"))).toBe(false);
  });
});
