import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { error, reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";
import { validate } from "../support/json-schema.js";

const fakeOpenAI = useFakeOpenAI();
const schema = JSON.parse(readFileSync(new URL("../../schema/claude-messages.schema.json", import.meta.url), "utf8"));

/** stdout as JSON lines, each checked against schema/claude-messages.schema.json; a line that is not JSON fails the test. */
function lines(stdout: string): any[] {
  expect(stdout.endsWith("\n")).toBe(true);
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => {
      const message = JSON.parse(line);
      expect(validate(schema, message), line.slice(0, 300)).toEqual([]);
      return message;
    });
}

describe("-p --json-dialect claude: what claude -p writes, for scripts written for it", () => {
  it("json: one result object in Claude Code's shape", async () => {
    const ws = tempWorkspace({ "notes.txt": "remember the milk\n" });
    const first = reply().tool("read_file", { path: "notes.txt" });
    first.usage = { prompt_tokens: 100, completion_tokens: 20, cost: 0.0012 } as any;
    const fake = await fakeOpenAI([first, reply().text("Milk.")]);
    const result = await runCli(["-p", "--output-format", "json", "--json-dialect", "claude", "what do my notes say?"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const [only, ...rest] = lines(result.stdout);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ type: "result", subtype: "success", is_error: false, result: "Milk.", num_turns: 2, total_cost_usd: 0.0012, stop_reason: "end_turn", permission_denials: [] });
    expect(only.usage).toMatchObject({ input_tokens: 200, output_tokens: 40, cache_read_input_tokens: 0 });
    expect(only.session_id).toMatch(/\S/);
    expect(only.duration_ms).toBeGreaterThanOrEqual(only.duration_api_ms);
    expect(only).not.toHaveProperty("schema_version");
    // Claude Code's result has no such field: the ledger stays out of the dialect.
    expect(only).not.toHaveProperty("usage_by_source");
  });

  it("stream-json: system/init, assistant messages with tool_use under Claude's names, tool results as user messages, the result", async () => {
    const ws = tempWorkspace({ "notes.txt": "remember the milk\n" });
    const fake = await fakeOpenAI([reply().text("Let me look.").tool("read_file", { path: "notes.txt" }, "call_read"), reply().text("Milk.")]);
    const result = await runCli(["-p", "--verbose", "--output-format", "stream-json", "--json-dialect", "claude", "notes?"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const events = lines(result.stdout);
    expect(events.map((e) => (e.subtype ? `${e.type}/${e.subtype}` : e.type))).toEqual(["system/init", "assistant", "user", "assistant", "result/success"]);
    const [init, toolUse, toolResult, answer] = events;
    expect(init).toMatchObject({ cwd: ws.root, model: "fake-model", permissionMode: "default" });
    expect(init.tools).toEqual(["Read", "Write", "Edit", "Glob", "Grep", "Bash", "WebFetch", "Agent"]);
    expect(toolUse.message).toMatchObject({ role: "assistant", stop_reason: "tool_use" });
    expect(toolUse.message.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: "call_read", name: "Read", input: { file_path: join(ws.root, "notes.txt") } },
    ]);
    expect(toolResult.message.content[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_read", is_error: false });
    expect(toolResult.message.content[0].content).toContain("remember the milk");
    expect(answer.message.content).toEqual([{ type: "text", text: "Milk." }]);
    for (const event of events) expect(event.session_id).toBe(init.session_id);
  });

  it("Claude's permission flags: --disallowedTools hides a tool, an --allowedTools rule runs a command --print would refuse", async () => {
    const ws = tempWorkspace({ "old/x.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm old/x.txt" }), reply().text("Removed.")]);
    const args = ["-p", "--sandbox", "off", "--output-format", "json", "--json-dialect", "claude", "--allowedTools", "Bash(rm old/x.txt)", "--disallowedTools", "Write,Edit,Task", "remove old"];
    const result = await runCli(args, cliOptions(ws, fake));
    expect(result.code).toBe(0);
    expect(existsSync(join(ws.root, "old/x.txt"))).toBe(false);
    // Task is Claude Code's older name for Agent: it hides the agent tool too.
    expect(fake.requests[0].tools.map((t: any) => t.function.name)).toEqual(["read_file", "list_files", "grep", "exec", "web_fetch"]);
  });

  it("a --disallowedTools rule refuses the calls it matches and lists them in permission_denials", async () => {
    const ws = tempWorkspace({ "old/x.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm -rf old" }, "call_rm"), reply().text("Could not.")]);
    const result = await runCli(["-p", "-y", "--output-format", "json", "--json-dialect", "claude", "--disallowedTools", "Bash(rm:*)", "remove old"], cliOptions(ws, fake));
    expect(existsSync(join(ws.root, "old/x.txt"))).toBe(true);
    const [only] = lines(result.stdout);
    expect(only.permission_denials).toEqual([{ tool_name: "Bash", tool_use_id: "call_rm", tool_input: { command: "rm -rf old" } }]);
    // Deny wins over -y: the rule is one of the approval decision's, named with its source.
    expect(fake.requests[1].messages.at(-1).content).toContain('the permission rule "Bash(rm:*)" (--disallowedTools) denies it');
  });

  it("--max-turns trips as error_max_turns and an endpoint error is error_during_execution, both exit 1", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), error(401, "bad key")]);
    const fused = await runCli(["-p", "--output-format", "json", "--json-dialect", "claude", "--max-turns", "1", "read"], cliOptions(ws, fake));
    expect(fused.code).toBe(1);
    expect(lines(fused.stdout)[0]).toMatchObject({ subtype: "error_max_turns", is_error: true, num_turns: 1 });
    const failed = await runCli(["-p", "--output-format", "json", "--json-dialect", "claude", "hi"], cliOptions(ws, fake));
    expect(failed.code).toBe(1);
    const [result] = lines(failed.stdout);
    expect(result).toMatchObject({ subtype: "error_during_execution", is_error: true, result: "" });
    expect(result.errors[0]).toContain("401");
  });
});
