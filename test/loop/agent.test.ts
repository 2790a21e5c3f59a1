import { describe, expect, it } from "vitest";
import { runAgent, type AgentEvent } from "../../src/loop/agent.js";
import { assertValidHistory, type Message } from "../../src/model/history.js";
import { createClient } from "../../src/model/client.js";
import { JobManager } from "../../src/processes/jobs.js";
import { StreamCutError } from "../../src/model/stream.js";
import { createRegistry, type Approval, type ApprovalRequest } from "../../src/tools/index.js";
import { reply, useFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { eventually } from "../support/processes.js";
import { tempWorkspace } from "../support/workspace.js";

/** The loop in-process: the real openai client against the loopback fake, no CLI, no terminal. */

const fakeOpenAI = useFakeOpenAI();

async function loop(fake: FakeOpenAI, options: { maxSteps?: number; approve?: (request: ApprovalRequest, signal: AbortSignal) => Promise<Approval>; controller?: AbortController } = {}) {
  const ws = tempWorkspace({ "a.txt": "alpha\n", "b.txt": "beta\n" });
  const controller = options.controller ?? new AbortController();
  const client = await createClient({ baseURL: fake.url, apiKey: "test-key", requestTimeoutMs: 10_000, maxRetries: 0 });
  const messages: Message[] = [{ role: "system", content: "test" }, { role: "user", content: "go" }];
  const events: AgentEvent[] = [];
  const jobs = new JobManager();
  const run = runAgent({
    client,
    model: "fake-model",
    messages,
    tools: createRegistry(),
    toolContext: { root: ws.root, jobs, signal: controller.signal, approve: options.approve ?? (async () => ({ approved: true })) },
    signal: controller.signal,
    maxSteps: options.maxSteps ?? 10,
    onEvent: (event) => events.push(event),
  });
  return { run, messages, events, controller, jobs };
}

describe("the agent loop, in-process", () => {
  it("runs tool calls and answers each one, then stops when the model answers in text", async () => {
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }, "c1").tool("read_file", { path: "b.txt" }, "c2"), reply().text("Both read.")]);
    const { run, messages, events } = await loop(fake);
    expect(await run).toBe("done");
    assertValidHistory(messages);
    expect(messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m.content])).toEqual([
      ["c1", "1\talpha"],
      ["c2", "1\tbeta"],
    ]);
    expect(fake.requests[1].messages.slice(-2).map((m: Message) => m.role)).toEqual(["tool", "tool"]);
    expect(events.filter((e) => e.type === "tool_end").map((e) => (e as { display: string }).display)).toEqual(["1 line", "1 line"]);
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "Both read." });
  });

  it("an interrupt at the approval question answers that call and the ones after it as interrupted", async () => {
    const fake = await fakeOpenAI([reply().tool("exec", { command: "rm -rf build" }, "c1").tool("read_file", { path: "a.txt" }, "c2")]);
    const controller = new AbortController();
    const { run, messages, events } = await loop(fake, {
      controller,
      approve: async () => {
        controller.abort();
        return { approved: false, interrupted: true };
      },
    });
    expect(await run).toBe("aborted");
    assertValidHistory(messages);
    const answers = messages.filter((m) => m.role === "tool").map((m) => m.content);
    expect(answers).toEqual(["Interrupted by the user before this ran.", "Interrupted by the user before this ran."]);
    expect(events.filter((e) => e.type === "tool_start")).toHaveLength(1);
    expect(fake.requests).toHaveLength(1);
  });

  it("an abort mid-stream resolves (never rejects) with the partial text kept and no half tool call", async () => {
    const fake = await fakeOpenAI([reply().text("I will start by reading the file").tool("read_file", { path: "a.txt" }).hang(4)]);
    const { run, messages, events, controller } = await loop(fake);
    expect(await eventually(() => events.some((e) => e.type === "text"))).toBe(true);
    controller.abort();
    expect(await run).toBe("aborted");
    assertValidHistory(messages);
    const last = messages.at(-1) as { role: string; content: string; tool_calls?: unknown };
    expect(last.role).toBe("assistant");
    expect(last.content.startsWith("I ")).toBe(true);
    expect(last.tool_calls).toBeUndefined();
  });

  it("an abort before the first byte resolves as aborted, with nothing appended", async () => {
    const fake = await fakeOpenAI([reply().text("late").delay(2000)]);
    const { run, messages, controller } = await loop(fake);
    expect(await eventually(() => fake.requests.length === 1)).toBe(true);
    controller.abort();
    expect(await run).toBe("aborted");
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
  });

  it("a cut stream rejects with StreamCutError after keeping its text, and the history stays valid", async () => {
    const fake = await fakeOpenAI([reply().text("Reading both files now").tool("read_file", { path: "a.txt" }).cutAfter(5)]);
    const { run, messages } = await loop(fake);
    await expect(run).rejects.toBeInstanceOf(StreamCutError);
    assertValidHistory(messages);
    expect(messages.at(-1)).toEqual({ role: "assistant", content: "Reading both files now" });
  });

  it("keeps only parseable arguments in the history; the model still hears what it sent", async () => {
    const fake = await fakeOpenAI([reply().rawTool("read_file", '{"path": "a.txt"', "c1"), reply().text("Fixed.")]);
    const { run } = await loop(fake);
    expect(await run).toBe("done");
    const [assistant, answer] = fake.requests[1].messages.slice(-2);
    expect(assistant.tool_calls[0].function.arguments).toBe("{}");
    expect(answer.content).toBe('Error: the arguments for read_file are not valid JSON. Received: "{\\"path\\": \\"a.txt\\"". Send one JSON object.');
  });

  it("stops at the step fuse with every call answered", async () => {
    const fake = await fakeOpenAI([reply().tool("read_file", { path: "a.txt" }), reply().tool("read_file", { path: "b.txt" })]);
    const { run, messages } = await loop(fake, { maxSteps: 2 });
    expect(await run).toBe("max_steps");
    expect(fake.requests).toHaveLength(2);
    assertValidHistory(messages);
    expect(messages.filter((m) => m.role === "tool")).toHaveLength(2);
  });
});
