import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { query, type Options, type SDKMessage, type SDKUserMessage } from "@anthropic-ai/claude-agent-sdk";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { CLI } from "../support/run-cli.js";
import { tempWorkspace, type TempWorkspace } from "../support/workspace.js";
import { validate } from "../support/json-schema.js";

/**
 * The oracle is Anthropic's own Claude Agent SDK (a dev dependency only): its query() starts the
 * built dist/cli.js the way it starts Claude Code (`node dist/cli.js --output-format stream-json
 * --verbose --input-format stream-json …`) and speaks its protocol over stdin/stdout, while
 * mini-claude talks to the fake chat-completions server.
 */

const fakeOpenAI = useFakeOpenAI();
const schema = JSON.parse(readFileSync(new URL("../../schema/claude-messages.schema.json", import.meta.url), "utf8"));
const MCP_SERVER = fileURLToPath(new URL("../support/mcp-test-server.mjs", import.meta.url));

/** The SDK's options for a session in `ws` against `fake`; `stderr` collects what the CLI says there. */
function options(ws: TempWorkspace, fake: FakeOpenAI, more: Partial<Options> = {}, stderr: string[] = []): Options {
  return {
    pathToClaudeCodeExecutable: CLI,
    cwd: ws.root,
    env: {
      PATH: process.env.PATH,
      HOME: ws.home,
      MINI_CLAUDE_HOME: ws.home,
      SHELL: "/bin/sh",
      OPENAI_BASE_URL: fake.url,
      OPENAI_API_KEY: "test-key",
      MINI_CLAUDE_MODEL: "fake-model",
      MINI_CLAUDE_LOCAL_PORTS: "1",
    },
    stderr: (text) => stderr.push(text),
    ...more,
  };
}

function user(text: string): SDKUserMessage {
  return { type: "user", message: { role: "user", content: text }, parent_tool_use_id: null };
}

/**
 * Streaming input: each prompt is sent once the previous turn's result has arrived, as a chat UI
 * does. `onMessage` sees every message; `between` runs before each later prompt.
 */
async function session(prompts: string[], opts: Options, onMessage: (m: SDKMessage) => void = () => {}): Promise<SDKMessage[]> {
  const messages: SDKMessage[] = [];
  let resultsSeen = 0;
  let nextResult = () => {};
  async function* input() {
    for (const [i, prompt] of prompts.entries()) {
      while (resultsSeen < i) await new Promise<void>((resolve) => (nextResult = resolve));
      yield user(prompt);
    }
  }
  const q = query({ prompt: input(), options: opts });
  for await (const message of q) {
    // What the SDK hands the program is what mini-claude wrote, unchanged: it must fit the documented shapes.
    expect(validate(schema, message), JSON.stringify(message).slice(0, 300)).toEqual([]);
    messages.push(message);
    onMessage(message);
    if (message.type === "result") {
      resultsSeen++;
      nextResult();
    }
  }
  return messages;
}

const results = (messages: SDKMessage[]) => messages.filter((m) => m.type === "result") as any[];

describe("the Claude Agent SDK drives mini-claude", () => {
  it("runs a two-message session: init, Claude-shaped assistant and tool-result messages, two results", async () => {
    const ws = tempWorkspace();
    const first = reply().tool("write_file", { path: "a.txt", content: "hello\n" }, "call_write");
    first.usage = { prompt_tokens: 120, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 20 }, cost: 0.002 } as any;
    const fake = await fakeOpenAI([first, reply().text("Wrote a.txt."), reply().text("It says hello.")]);
    const messages = await session(["write hello to a.txt", "what does it say?"], options(ws, fake));

    expect(ws.read("a.txt")).toBe("hello\n");
    const init = messages.find((m) => m.type === "system" && m.subtype === "init") as any;
    expect(init).toMatchObject({ cwd: ws.root, model: "fake-model", permissionMode: "default" });
    expect(init.tools).toEqual(expect.arrayContaining(["Bash", "Read", "Write", "Edit", "Glob", "Grep"]));
    const toolUse = messages.find((m) => m.type === "assistant" && (m.message.content as any[]).some((b) => b.type === "tool_use")) as any;
    expect(toolUse.parent_tool_use_id).toBeNull();
    expect(toolUse.message).toMatchObject({ type: "message", role: "assistant", model: "fake-model", stop_reason: "tool_use" });
    expect(toolUse.message.content).toContainEqual({ type: "tool_use", id: "call_write", name: "Write", input: { file_path: join(ws.root, "a.txt"), content: "hello\n" } });
    const toolResult = messages.find((m) => m.type === "user" && Array.isArray(m.message.content)) as any;
    expect(toolResult.message.content[0]).toMatchObject({ type: "tool_result", tool_use_id: "call_write", is_error: false });
    expect(toolResult.message.content[0].content).toContain("a.txt");

    const [one, two] = results(messages);
    expect(results(messages)).toHaveLength(2);
    expect(one).toMatchObject({ subtype: "success", is_error: false, result: "Wrote a.txt.", num_turns: 2, total_cost_usd: 0.002 });
    // 120 + 100 prompt tokens, 20 of them from the cache (Anthropic counts those apart), 10 + 20 output tokens.
    expect(one.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 20, output_tokens: 30 });
    expect(two).toMatchObject({ subtype: "success", is_error: false, result: "It says hello.", num_turns: 1 });
    for (const result of [one, two]) {
      expect(result.duration_ms).toBeGreaterThanOrEqual(result.duration_api_ms);
      expect(result.session_id).toBe(init.session_id);
    }
    // One process, one conversation: the second request carries the first turn.
    expect(fake.requests[2].messages.map((m: any) => m.role)).toEqual(["system", "user", "assistant", "tool", "assistant", "user"]);
  });

  it("asks canUseTool about a destructive command, and a deny keeps it from running", async () => {
    const ws = tempWorkspace({ "keep/important.txt": "do not lose me\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm -rf keep" }, "call_rm"), reply().text("I did not delete it.")]);
    const asked: { tool: string; input: Record<string, unknown>; id?: string }[] = [];
    const messages = await session(
      ["clean up"],
      options(ws, fake, {
        canUseTool: async (tool, input, { toolUseID }) => {
          asked.push({ tool, input, id: toolUseID });
          return { behavior: "deny", message: "Deleting folders is not allowed here." };
        },
      }),
    );
    expect(asked).toEqual([{ tool: "Bash", input: { command: "rm -rf keep" }, id: "call_rm" }]);
    expect(existsSync(join(ws.root, "keep/important.txt"))).toBe(true);
    const observation = fake.requests[1].messages.find((m: any) => m.role === "tool").content;
    expect(observation).toContain("Deleting folders is not allowed here");
    const [result] = results(messages);
    expect(result).toMatchObject({ subtype: "success", result: "I did not delete it." });
    expect(result.permission_denials).toEqual([{ tool_name: "Bash", tool_use_id: "call_rm", tool_input: { command: "rm -rf keep" } }]);
  });

  it("runs a command with the input canUseTool gave back (updatedInput)", async () => {
    const ws = tempWorkspace({ "keep/important.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm -rf keep" }), reply().text("Done.")]);
    await session(
      ["clean up"],
      options(ws, fake, { canUseTool: async () => ({ behavior: "allow", updatedInput: { command: "rm -rf keep/important.txt && echo trimmed > note.txt" } }) }),
    );
    expect(existsSync(join(ws.root, "keep"))).toBe(true);
    expect(existsSync(join(ws.root, "keep/important.txt"))).toBe(false);
    expect(ws.read("note.txt")).toBe("trimmed\n");
  });

  it("honours allowedTools (runs without asking) and disallowedTools (the model never sees the tool)", async () => {
    const ws = tempWorkspace({ "old/x.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm old/x.txt" }), reply().text("Removed.")]);
    // Without the sandbox every command would ask, and there is no canUseTool: only the allow rule lets it run.
    const allow = { allowedTools: ["Bash(rm:*)"], disallowedTools: ["Write"], extraArgs: { sandbox: "off" } };
    const [result] = results(await session(["remove old"], options(ws, fake, allow)));
    expect(result).toMatchObject({ subtype: "success", result: "Removed.", permission_denials: [] });
    expect(existsSync(join(ws.root, "old/x.txt"))).toBe(false);
    const offered = fake.requests[0].tools.map((t: any) => t.function.name);
    expect(offered).toContain("exec");
    expect(offered).not.toContain("write_file");
  });

  it("puts every call to the one approval decision: a deny rule wins over a hook's allow, canUseTool is asked only where it says ask", async () => {
    const ws = tempWorkspace({ "old/x.txt": "x\n", "notes.txt": "milk\n" });
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "rm old/x.txt" }, "call_rm"),
      reply().tool("read_file", { path: "notes.txt" }),
      reply().tool("exec", { command: "touch made.txt" }),
      reply().text("Done."),
    ]);
    const asked: string[] = [];
    const allowRm = async (input: any) => (String(input.tool_input?.command).startsWith("rm") ? { hookSpecificOutput: { hookEventName: "PreToolUse" as const, permissionDecision: "allow" as const } } : {});
    const messages = await session(
      ["tidy up"],
      options(ws, fake, {
        disallowedTools: ["Bash(rm:*)"],
        extraArgs: { sandbox: "off" },
        hooks: { PreToolUse: [{ matcher: "Bash", hooks: [allowRm] }] },
        canUseTool: async (tool, input) => {
          asked.push(`${tool} ${input.command ?? input.file_path}`);
          return { behavior: "allow", updatedInput: input };
        },
      }),
    );
    // The read needs no question; without the sandbox the command does; the denied one is never asked about.
    expect(asked).toEqual(["Bash touch made.txt"]);
    expect(ws.read("old/x.txt")).toBe("x\n");
    expect(existsSync(join(ws.root, "made.txt"))).toBe(true);
    expect(fake.requests[1].messages.at(-1).content).toContain('the permission rule "Bash(rm:*)" (--disallowedTools) denies it');
    expect(results(messages)[0].permission_denials).toEqual([{ tool_name: "Bash", tool_use_id: "call_rm", tool_input: { command: "rm old/x.txt" } }]);
  });

  it("interrupts a hanging reply with query.interrupt(), and the session goes on", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Thinking about it for a long").hang(1), reply().text("Back again.")]);
    const prompts = ["take your time", "are you there?"];
    let interrupted: Promise<void> | undefined;
    const messages: SDKMessage[] = [];
    let resultsSeen = 0;
    let nextResult = () => {};
    async function* input() {
      for (const [i, prompt] of prompts.entries()) {
        while (resultsSeen < i) await new Promise<void>((resolve) => (nextResult = resolve));
        yield user(prompt);
      }
    }
    const q = query({ prompt: input(), options: options(ws, fake) });
    const waitForRequest = async () => {
      while (fake.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 20));
      await q.interrupt();
    };
    interrupted = waitForRequest();
    for await (const message of q) {
      messages.push(message);
      if (message.type === "result") {
        resultsSeen++;
        nextResult();
      }
    }
    await interrupted;
    const [first, second] = results(messages);
    expect(first).toMatchObject({ subtype: "error_during_execution", is_error: true, errors: ["Interrupted by the user."] });
    expect(second).toMatchObject({ subtype: "success", result: "Back again." });
    // The model hears that its last reply was cut off.
    expect(JSON.stringify(fake.requests[1].messages.at(-1))).toContain("interrupted");
  });

  it("runs the program's PreToolUse hook callback, whose deny keeps a write from happening", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("write_file", { path: "secret.txt", content: "x" }, "call_w"), reply().text("Not written.")]);
    const seen: any[] = [];
    await session(
      ["write it"],
      options(ws, fake, {
        hooks: {
          PreToolUse: [
            {
              matcher: "Write",
              hooks: [
                async (input) => {
                  seen.push(input);
                  return { hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "deny", permissionDecisionReason: "no writes today" } };
                },
              ],
            },
          ],
        },
      }),
    );
    expect(existsSync(join(ws.root, "secret.txt"))).toBe(false);
    expect(seen[0]).toMatchObject({ hook_event_name: "PreToolUse", tool_name: "Write", tool_input: { file_path: join(ws.root, "secret.txt"), content: "x" }, tool_use_id: "call_w", cwd: ws.root });
    expect(fake.requests[1].messages.find((m: any) => m.role === "tool").content).toContain("no writes today");
  });

  it("starts the MCP servers the SDK sends in initialize (its default delivery) and names their tools mcp__server__tool", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("mcp__test__echo", { text: "hi" }, "call_echo"), reply().text("It echoed.")]);
    const asked: string[] = [];
    const messages = await session(
      ["echo hi"],
      options(ws, fake, {
        mcpServers: { test: { command: process.execPath, args: [MCP_SERVER] } },
        canUseTool: async (tool, input) => {
          asked.push(tool);
          return { behavior: "allow", updatedInput: input };
        },
      }),
    );
    const init = messages.find((m) => m.type === "system" && m.subtype === "init") as any;
    expect(init.mcp_servers).toEqual([{ name: "test", status: "pending" }]);
    expect(asked).toEqual(["mcp__test__echo"]);
    expect(fake.requests[1].messages.find((m: any) => m.role === "tool").content).toContain("echo: hi");
    expect(results(messages)[0]).toMatchObject({ subtype: "success", result: "It echoed." });
  });

  it("changes the permission mode and the model mid-session (setPermissionMode, setModel)", async () => {
    const ws = tempWorkspace({ "old/x.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm -rf old" }), reply().text("Refused."), reply().tool("exec", { command: "rm -rf old" }), reply().text("Removed.")]);
    const prompts = ["remove old", "now remove it"];
    let resultsSeen = 0;
    let nextResult = () => {};
    const q = query({
      prompt: (async function* () {
        for (const [i, prompt] of prompts.entries()) {
          while (resultsSeen < i) await new Promise<void>((resolve) => (nextResult = resolve));
          yield user(prompt);
        }
      })(),
      options: options(ws, fake, { permissionMode: "dontAsk" }),
    });
    const all: SDKMessage[] = [];
    for await (const message of q) {
      all.push(message);
      if (message.type !== "result") continue;
      if (resultsSeen === 0) {
        // dontAsk refused the command: it is still there.
        expect(existsSync(join(ws.root, "old"))).toBe(true);
        await q.setPermissionMode("bypassPermissions");
        await q.setModel("other-model");
      }
      resultsSeen++;
      nextResult();
    }
    expect(existsSync(join(ws.root, "old"))).toBe(false);
    expect(fake.requests.map((r) => r.model)).toEqual(["fake-model", "fake-model", "other-model", "other-model"]);
    const [first, second] = results(all);
    expect(first.permission_denials).toHaveLength(1);
    expect(second).toMatchObject({ subtype: "success", result: "Removed.", permission_denials: [] });
  });

  it("permissionMode 'plan' offers no write tools and makes the plan the result; setPermissionMode('default') gives them back", async () => {
    const ws = tempWorkspace();
    const plan = "1. Write a.txt saying hello.";
    const fake = await fakeOpenAI([
      reply().tool("write_file", { path: "a.txt", content: "hello\n" }),
      reply().tool("exit_plan_mode", { plan }),
      reply().tool("write_file", { path: "a.txt", content: "hello\n" }),
      reply().text("Written."),
    ]);
    const prompts = ["plan it", "do it"];
    let resultsSeen = 0;
    let nextResult = () => {};
    const q = query({
      prompt: (async function* () {
        for (const [i, prompt] of prompts.entries()) {
          while (resultsSeen < i) await new Promise<void>((resolve) => (nextResult = resolve));
          yield user(prompt);
        }
      })(),
      options: options(ws, fake, { permissionMode: "plan" }),
    });
    const all: SDKMessage[] = [];
    for await (const message of q) {
      all.push(message);
      if (message.type !== "result") continue;
      if (resultsSeen === 0) {
        expect(existsSync(join(ws.root, "a.txt"))).toBe(false);
        await q.setPermissionMode("default");
      }
      resultsSeen++;
      nextResult();
    }
    const init = all.find((m) => m.type === "system" && m.subtype === "init") as any;
    expect(init.permissionMode).toBe("plan");
    expect(init.tools).toEqual(["Read", "Glob", "Grep", "Bash", "WebFetch", "Agent", "ExitPlanMode"]);
    const names = (request: any) => request.tools.map((tool: any) => tool.function.name);
    expect(names(fake.requests[0])).toEqual(["read_file", "list_files", "grep", "exec", "web_fetch", "agent", "exit_plan_mode"]);
    expect(fake.requests[1].messages.at(-1).content).toMatch(/^Error: unknown tool "write_file"\. Available tools: read_file, list_files, grep, exec, web_fetch, agent, exit_plan_mode\./);
    expect(names(fake.requests[2])).toEqual(["read_file", "write_file", "edit_file", "list_files", "grep", "exec", "web_fetch", "agent"]);
    const [planned, done] = results(all);
    expect(planned).toMatchObject({ subtype: "success", result: plan });
    expect(done).toMatchObject({ subtype: "success", result: "Written." });
    expect(readFileSync(join(ws.root, "a.txt"), "utf8")).toBe("hello\n");
  });

  it("stops at maxTurns with an error_max_turns result", async () => {
    const ws = tempWorkspace({ "a.txt": "a\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().tool("read_file", { path: "a.txt", offset: 1 })]);
    const [result] = results(await session(["read forever"], options(ws, fake, { maxTurns: 2 })));
    expect(result).toMatchObject({ subtype: "error_max_turns", is_error: true, num_turns: 2 });
    expect(result.errors[0]).toContain("--max-turns");
  });

  it("accepts every option the SDK turns into a flag: the ones with a meaning here apply, the others are named once on stderr", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Fine.")]);
    const stderr: string[] = [];
    const messages = await session(
      ["hi"],
      options(
        ws,
        fake,
        {
          model: "picked-model",
          systemPrompt: { type: "preset", preset: "claude_code", append: "Always answer in one word." },
          settingSources: ["project"],
          maxThinkingTokens: 1000,
          includePartialMessages: true,
          fallbackModel: "another-model",
          additionalDirectories: [ws.outside],
          betas: ["context-1m-2025-08-07"],
          effort: "low",
          permissionMode: "acceptEdits",
          extraArgs: { "some-future-flag": "value" },
        },
        stderr,
      ),
    );
    expect(results(messages)[0]).toMatchObject({ subtype: "success", result: "Fine." });
    expect(fake.requests[0].model).toBe("picked-model");
    expect(fake.requests[0].messages[0].content).toMatch(/You are mini-claude[\s\S]*Always answer in one word\.$/);
    // --include-partial-messages: the text as it streamed.
    const deltas = messages.filter((m) => m.type === "stream_event").map((m: any) => m.event.delta?.text ?? "").join("");
    expect(deltas).toBe("Fine.");
    const ignored = stderr.join("").split("\n").filter((line) => line.includes("ignored (no meaning here)"));
    expect(ignored).toHaveLength(1);
    for (const flag of ["--setting-sources", "--max-thinking-tokens", "--fallback-model", "--add-dir", "--betas", "--effort", "--some-future-flag"]) expect(ignored[0]).toContain(flag);
  });

  it("answers a one-shot string prompt, then resumes that session by its id in a new process", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().reasoning("The user wants me to remember.").text("Noted: 42."), reply().text("It was 42.")]);
    const first: SDKMessage[] = [];
    for await (const message of query({ prompt: "remember the number 42", options: options(ws, fake) })) first.push(message);
    const answer = first.find((m) => m.type === "assistant") as any;
    expect(answer.message.content).toEqual([
      { type: "thinking", thinking: "The user wants me to remember.", signature: "" },
      { type: "text", text: "Noted: 42." },
    ]);
    const { session_id } = results(first)[0];
    const second: SDKMessage[] = [];
    for await (const message of query({ prompt: "which number?", options: options(ws, fake, { resume: session_id }) })) second.push(message);
    expect(results(second)[0]).toMatchObject({ subtype: "success", result: "It was 42.", session_id });
    expect(JSON.stringify(fake.requests[1].messages)).toContain("remember the number 42");
  });

  it("asks canUseTool when a PreToolUse hook answers ask, even for a tool that never asks by itself", async () => {
    const ws = tempWorkspace({ ".env": "SECRET=1\n" });
    const fake = await fakeOpenAI([reply().tool("read_file", { path: ".env" }, "call_env"), reply().text("I may not read it.")]);
    const asked: string[] = [];
    await session(
      ["read .env"],
      options(ws, fake, {
        hooks: { PreToolUse: [{ matcher: "Read", hooks: [async () => ({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: "ask" } })] }] },
        canUseTool: async (tool, input) => {
          asked.push(`${tool} ${input.file_path}`);
          return { behavior: "deny", message: "Not the secrets." };
        },
      }),
    );
    expect(asked).toEqual([`Read ${join(ws.root, ".env")}`]);
    const observation = fake.requests[1].messages.find((m: any) => m.role === "tool").content;
    expect(observation).toContain("Not the secrets.");
    expect(observation).not.toContain("SECRET=1");
  });

  it("runs UserPromptSubmit hook callbacks: their context reaches the model, their block stops the prompt", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Hello, Ada.")]);
    const messages = await session(
      ["say hello", "tell me the secret"],
      options(ws, fake, {
        hooks: {
          UserPromptSubmit: [
            {
              hooks: [
                async (input: any) =>
                  input.prompt.includes("secret")
                    ? { decision: "block", reason: "no secrets here" }
                    : { hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: "The user's name is Ada." } },
              ],
            },
          ],
        },
      }),
    );
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].messages.at(-1).content).toBe("The user's name is Ada.\n\nsay hello");
    const [greeted, blocked] = results(messages);
    expect(greeted).toMatchObject({ subtype: "success", result: "Hello, Ada." });
    expect(blocked).toMatchObject({ subtype: "error_during_execution", is_error: true, errors: ["Blocked by a UserPromptSubmit hook: no secrets here"] });
  });

  it("runs Stop hook callbacks: a block sends the model on, within the same turn and result", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Done, I think."), reply().text("Now the tests pass too.")]);
    const stops: boolean[] = [];
    const messages = await session(
      ["fix it"],
      options(ws, fake, {
        hooks: {
          Stop: [
            {
              hooks: [
                async (input: any) => {
                  stops.push(input.stop_hook_active);
                  return input.stop_hook_active ? {} : { decision: "block", reason: "run the tests first" };
                },
              ],
            },
          ],
        },
      }),
    );
    expect(stops).toEqual([false, true]);
    expect(fake.requests[1].messages.at(-1).content).toBe("A Stop hook asks you to continue: run the tests first");
    expect(results(messages)).toHaveLength(1);
    expect(results(messages)[0]).toMatchObject({ subtype: "success", result: "Now the tests pass too.", num_turns: 2 });
  });
});
