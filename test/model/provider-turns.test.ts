import { existsSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, it, onTestFinished } from "vitest";
import { runAgent, type AgentEvent, type AgentRun } from "../../src/loop/agent.js";
import { CUT_BY_LENGTH } from "../../src/loop/call-guards.js";
import { assertValidHistory, type Message } from "../../src/model/history.js";
import { JobManager } from "../../src/processes/jobs.js";
import { killAll } from "../../src/processes/children.js";
import { jobEndedNotice } from "../../src/tools/background.js";
import { createRegistry } from "../../src/tools/index.js";
import { ProviderStreamError } from "../../src/model/stream.js";
import { reply, useFakeOpenAI, type Scripted } from "../support/fake-openai.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** The loop in-process against the fake server, with real tools in a temp workspace. */
async function run(script: Scripted[], options: Partial<AgentRun> & { files?: Record<string, string> } = {}) {
  const fake = await fakeOpenAI(script);
  const ws = tempWorkspace(options.files ?? { "a.txt": "hello\n" });
  const processes = new JobManager({ startupMs: 1500, graceMs: 300 });
  onTestFinished(() => killAll());
  const signal = new AbortController().signal;
  const events: AgentEvent[] = [];
  const messages: Message[] = options.messages ?? [{ role: "system", content: "system" }, { role: "user", content: "go" }];
  const agentRun: AgentRun = {
    client: new OpenAI({ baseURL: fake.url, apiKey: "test", maxRetries: 0 }),
    model: "fake-model",
    messages,
    tools: createRegistry(),
    toolContext: { root: ws.root, signal, jobs: processes, approve: async () => ({ approved: true }) },
    signal,
    maxSteps: 10,
    onEvent: (event) => events.push(event),
    ...options,
  };
  const stop = await runAgent(agentRun).catch((error: unknown) => error);
  return { stop, fake, ws, events, messages, again: (prompt: string) => {
    messages.push({ role: "user", content: prompt });
    return runAgent(agentRun);
  } };
}

const assistants = (request: any) => request.messages.filter((m: any) => m.role === "assistant");
const toolAnswers = (request: any) => request.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content);

describe("provider round-trips: what the provider sent comes back in the next request", () => {
  it("DeepSeek: reasoning_content rides on the assistant message during the turn, and is dropped once the person speaks again", async () => {
    const { stop, fake, events, messages, again } = await run([
      reply().reasoning("I need the file first.").tool("read_file", { path: "a.txt" }, "c1"),
      reply().reasoning("It says hello.").text("The file says hello."),
      reply().text("Bye."),
    ]);
    expect(stop).toBe("done");
    expect(assistants(fake.requests[1])).toEqual([
      {
        reasoning_content: "I need the file first.",
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c1", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } }],
      },
    ]);
    expect(messages.at(-1)).toEqual({ reasoning_content: "It says hello.", role: "assistant", content: "The file says hello." });
    const shown = events.filter((e) => e.type === "reasoning").map((e) => (e as { delta: string }).delta).join("");
    expect(shown).toBe("I need the file first.It says hello.");
    expect(events.filter((e) => e.type === "text").map((e) => (e as { delta: string }).delta).join("")).toBe("The file says hello.");

    expect(await again("thanks")).toBe("done");
    for (const message of assistants(fake.requests[2])) expect(message).not.toHaveProperty("reasoning_content");
    expect(assistants(fake.requests[2])).toHaveLength(2);
    // The history and the transcript keep it; only what is sent drops it.
    expect(messages.filter((m: any) => m.reasoning_content)).toHaveLength(2);
  });

  it("OpenRouter: `reasoning` comes back under the same name", async () => {
    const { fake } = await run([reply().reasoning("Check a.txt.", "reasoning").tool("read_file", { path: "a.txt" }, "r1"), reply().text("Done.")]);
    expect(assistants(fake.requests[1])[0]).toMatchObject({ reasoning: "Check a.txt.", tool_calls: [{ id: "r1" }] });
    expect(assistants(fake.requests[1])[0]).not.toHaveProperty("reasoning_content");
  });

  it("Gemini: a tool call's extra_content (thought signature) comes back verbatim", async () => {
    const extra = { google: { thought_signature: "CiQBjz1rX2Zha2Utc2lnbmF0dXJl" } };
    const { fake } = await run([reply().toolWith("read_file", { path: "a.txt" }, "function-call-1", { extra_content: extra }), reply().text("Done.")]);
    expect(assistants(fake.requests[1])[0].tool_calls).toEqual([
      { extra_content: extra, id: "function-call-1", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } },
    ]);
    expect(toolAnswers(fake.requests[1])[0]).toContain("hello");
  });
});

describe("tool-call hygiene", () => {
  it("a reply cut by the output limit never runs its calls; each is answered and the model continues", async () => {
    const { stop, fake, ws, events, messages } = await run([
      reply().choices(
        { delta: { content: "Writing it." } },
        { delta: { tool_calls: [{ index: 0, id: "w1", type: "function", function: { name: "write_file", arguments: '{"path":"big.txt","content":"line 1\\nline' } }] } },
        { delta: {}, finish_reason: "length" },
      ),
      reply().text("I will write it in parts."),
    ]);
    expect(stop).toBe("done");
    expect(existsSync(join(ws.root, "big.txt"))).toBe(false);
    expect(toolAnswers(fake.requests[1])).toEqual([CUT_BY_LENGTH]);
    expect(assistants(fake.requests[1])[0].tool_calls[0]).toMatchObject({ id: "w1", function: { name: "write_file", arguments: "{}" } });
    expect(events.some((e) => e.type === "tool_start")).toBe(false);
    expect(events).toContainEqual({ type: "notice", text: "The reply was cut by the output token limit; its tool calls were not run." });
    assertValidHistory(messages);
  });

  it("a text answer cut by the output limit ends the run as cut", async () => {
    const { stop, messages } = await run([reply().text("The first half of the answer").finish("length")]);
    expect(stop).toBe("cut");
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "The first half of the answer" });
  });

  it("the third identical call in a row is stopped with an observation; the person sees it fail", async () => {
    const { stop, fake, events } = await run([
      reply().tool("read_file", { path: "a.txt" }),
      reply().tool("read_file", { path: "a.txt" }),
      reply().rawTool("read_file", '{ "path" : "a.txt" }'),
      reply().text("Stopping."),
    ]);
    expect(stop).toBe("done");
    const [first, second, third] = toolAnswers(fake.requests[3]);
    expect(first).toContain("hello");
    expect(second).toBe(first);
    expect(third).toBe(
      "Error: read_file was not run: this is the same call with the same arguments 3 times in a row. Use the result you already have, or change the arguments or your approach.",
    );
    const ends = events.filter((e) => e.type === "tool_end") as Extract<AgentEvent, { type: "tool_end" }>[];
    expect(ends.map((e) => e.ok)).toEqual([true, true, false]);
  });

  it("a different call in between resets the count, and a limit of 0 turns the guard off", async () => {
    const same = () => reply().tool("read_file", { path: "a.txt" });
    const reset = await run([same(), same(), reply().tool("read_file", { path: "a.txt", offset: 1 }), same(), same(), reply().text("ok")]);
    expect(toolAnswers(reset.fake.requests[5]).filter((t: string) => t.startsWith("Error"))).toEqual([]);
    const off = await run([same(), same(), same(), same(), reply().text("ok")], { repeatLimit: 0 });
    expect(toolAnswers(off.fake.requests[4]).every((t: string) => t.includes("hello"))).toBe(true);
  });
});

describe("mid-turn notices and in-stream errors", () => {
  it("a background job that ends mid-turn is reported in the next tool result", async () => {
    const ended = { id: 1, pid: 4242, command: "node server.js", state: "exited" as const, exitCode: 1, signal: null, startedAt: 0, logFile: "", lastLines: ["Error: EADDRINUSE"] };
    const pending = [[jobEndedNotice(ended), { text: 'MCP server "docs" stopped (EOF); its tools are unavailable.' }]];
    const { fake, events } = await run(
      [reply().tool("read_file", { path: "a.txt" }), reply().tool("read_file", { path: "a.txt", offset: 1 }), reply().text("ok")],
      { notices: () => pending.shift() ?? [] },
    );
    const [first, second] = toolAnswers(fake.requests[2]);
    expect(first).toMatch(/hello\n\nNotice: background job 1 `node server.js` exited with code 1; last output:\n {2}Error: EADDRINUSE\nNotice: MCP server "docs" stopped \(EOF\); its tools are unavailable\.$/);
    expect(second).not.toContain("Notice");
    // The person sees the job's line (the same words as the model's, without the output), and no other notice as a job.
    expect(events.filter((event) => event.type === "notice")).toEqual([{ type: "notice", kind: "job", text: "background job 1 `node server.js` exited with code 1" }]);
  });

  it("an error inside the stream rejects with the provider's message; the history keeps the text and no half call", async () => {
    const { stop, messages } = await run([
      reply()
        .choices(
          { delta: { content: "Reading " } },
          { delta: { tool_calls: [{ index: 0, id: "h1", type: "function", function: { name: "read_file", arguments: '{"pa' } }] } },
        )
        .errorChunk({ code: 502, message: "upstream overloaded" }),
    ]);
    expect(stop).toBeInstanceOf(ProviderStreamError);
    expect((stop as Error).message).toBe("upstream overloaded");
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "Reading " });
    assertValidHistory(messages);
  });
});
