import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgent, type AgentEvent } from "../../src/loop/agent.js";
import { assertValidHistory, type Message } from "../../src/model/history.js";
import { createClient } from "../../src/model/client.js";
import { JobManager } from "../../src/processes/jobs.js";
import { createRegistry, defineTool, prepareCall, type ToolCallRequest, type Tool } from "../../src/tools/index.js";
import { reply, useFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";
import { tempWorkspace } from "../support/workspace.js";

/** Read-only calls of one reply run together; everything else, and what follows it, waits its turn. */

const fakeOpenAI = useFakeOpenAI();

/** Two tools that log when they start and end: a slow read (read-only) and a note (a write). */
function loggingTools(log: string[]) {
  const timed = (name: string, ms: number, readOnly: boolean) =>
    defineTool({
      name,
      description: name,
      params: z.object({ key: z.string() }),
      readOnly,
      async run({ key }) {
        log.push(`start ${key}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        log.push(`end ${key}`);
        return `${name} ${key} done`;
      },
    }) as unknown as Tool;
  return [timed("slow_read", 120, true), timed("note", 30, false)];
}

async function loop(fake: FakeOpenAI, log: string[], tools = loggingTools(log)) {
  const ws = tempWorkspace({});
  const controller = new AbortController();
  const client = await createClient({ baseURL: fake.url, apiKey: "test-key", requestTimeoutMs: 10_000, maxRetries: 0 });
  const messages: Message[] = [{ role: "system", content: "test" }, { role: "user", content: "go" }];
  const events: AgentEvent[] = [];
  const stop = await runAgent({
    client,
    model: "fake-model",
    messages,
    tools: createRegistry(tools),
    toolContext: { root: ws.root, jobs: new JobManager(), signal: controller.signal, approve: async () => ({ approved: true }) },
    signal: controller.signal,
    maxSteps: 5,
    onEvent: (event) => events.push(event),
  });
  return { stop, messages, events };
}

describe("parallel read-only calls", () => {
  it("five read-only calls in one reply all start before the first ends; answers and display keep call order", async () => {
    let calls = reply();
    for (const key of ["a", "b", "c", "d", "e"]) calls = calls.tool("slow_read", { key }, `c-${key}`);
    const fake = await fakeOpenAI([calls, reply().text("Read.")]);
    const log: string[] = [];
    const { stop, messages, events } = await loop(fake, log);
    expect(stop).toBe("done");
    assertValidHistory(messages);
    expect(log.slice(0, 5)).toEqual(["start a", "start b", "start c", "start d", "start e"]);
    expect(messages.filter((m) => m.role === "tool").map((m) => [m.tool_call_id, m.content])).toEqual(
      ["a", "b", "c", "d", "e"].map((key) => [`c-${key}`, `slow_read ${key} done`]),
    );
    // The person sees each call's start followed by its own outcome, in call order.
    const shown = events.flatMap((e) => (e.type === "tool_start" || e.type === "tool_end" ? [`${e.type} ${e.id}`] : []));
    expect(shown).toEqual(["a", "b", "c", "d", "e"].flatMap((key) => [`tool_start c-${key}`, `tool_end c-${key}`]));
  });

  it("a write waits for the reads before it, and the reads after it wait for the write", async () => {
    const fake = await fakeOpenAI([
      reply()
        .tool("slow_read", { key: "r1" }, "c1")
        .tool("slow_read", { key: "r2" }, "c2")
        .tool("note", { key: "w" }, "c3")
        .tool("slow_read", { key: "r3" }, "c4")
        .tool("slow_read", { key: "r4" }, "c5"),
      reply().text("Done."),
    ]);
    const log: string[] = [];
    const { messages } = await loop(fake, log);
    assertValidHistory(messages);
    expect(log.slice(0, 2)).toEqual(["start r1", "start r2"]);
    expect(log.slice(4)).toEqual(["start w", "end w", "start r3", "start r4", "end r3", "end r4"]);
    expect(messages.filter((m) => m.role === "tool").map((m) => m.tool_call_id)).toEqual(["c1", "c2", "c3", "c4", "c5"]);
  });
});

describe("each call prepared once", () => {
  it("its arguments are validated once, whatever the schedule, label, repeat guard and run need; each message reaches the sink once", async () => {
    let checks = 0;
    const counted = defineTool({
      name: "lookup",
      description: "lookup",
      params: z.object({ key: z.string().refine(() => ++checks > 0) }),
      readOnly: ({ key }) => key !== "write",
      summary: ({ key }) => `lookup ${key}`,
      run: async ({ key }) => `found ${key}`,
    }) as unknown as Tool;
    const fake = await fakeOpenAI([
      reply().tool("lookup", { key: "a" }, "c1").tool("lookup", { key: "b" }, "c2").tool("lookup", { key: "write" }, "c3").tool("lookup", {}, "c4"),
      reply().text("Done."),
    ]);
    const { stop, messages, events } = await loop(fake, [], [counted]);
    expect(stop).toBe("done");
    expect(checks).toBe(3);
    expect(events.flatMap((e) => (e.type === "tool_start" ? [e.label] : []))).toEqual(["lookup a", "lookup b", "lookup write", "lookup"]);
    expect(messages.filter((m) => m.role === "tool").map((m) => m.content)).toEqual([
      "found a",
      "found b",
      "found write",
      'Error: invalid arguments for lookup:\nkey: Required\nReceived: "{}"',
    ]);
    // The loop appended the assistant replies and the four answers, each on the sink once, in order.
    expect(events.flatMap((e) => (e.type === "message" ? [e.message] : []))).toEqual(messages.slice(2));
  });
});

describe("which calls are read-only", () => {
  const call = (name: string, args: unknown) => ({ name, arguments: JSON.stringify(args) });
  // A call the registry rejects (bad JSON, unknown tool) is never read-only.
  const isReadOnly = (request: ToolCallRequest) => {
    const prepared = prepareCall(request);
    return "error" in prepared ? false : prepared.readOnly;
  };
  it("read_file, list_files, grep and exec's bg_list / bg_logs are; writes, edits, commands and bg_kill are not", () => {
    expect(isReadOnly(call("read_file", { path: "a" }))).toBe(true);
    expect(isReadOnly(call("list_files", {}))).toBe(true);
    expect(isReadOnly(call("grep", { pattern: "x" }))).toBe(true);
    expect(isReadOnly(call("exec", { command: "bg_list" }))).toBe(true);
    expect(isReadOnly(call("exec", { command: " bg_logs 2 50" }))).toBe(true);
    expect(isReadOnly(call("exec", { command: "bg_kill 2" }))).toBe(false);
    expect(isReadOnly(call("exec", { command: "ls" }))).toBe(false);
    expect(isReadOnly(call("write_file", { path: "a", content: "" }))).toBe(false);
    expect(isReadOnly(call("edit_file", { path: "a", old_string: "a", new_string: "b" }))).toBe(false);
    expect(isReadOnly({ name: "exec", arguments: "{not json" })).toBe(false);
    expect(isReadOnly(call("nope", {}))).toBe(false);
  });
});
