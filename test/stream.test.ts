import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { streamReply, StreamCutError } from "../src/stream.js";
import { reply, startFakeOpenAI, type FakeOpenAI } from "./support/fake-openai.js";

let fake: FakeOpenAI;
afterEach(() => fake?.close());

function client(url: string) {
  return new OpenAI({ baseURL: url, apiKey: "test", maxRetries: 0 });
}

const request = (url: string, signal = new AbortController().signal, onText?: (d: string) => void) => ({
  client: client(url),
  model: "fake-model",
  messages: [{ role: "user" as const, content: "hi" }],
  tools: [],
  signal,
  onText,
});

describe("streamReply through the real openai client", () => {
  it("streams text deltas and reports usage", async () => {
    fake = await startFakeOpenAI([reply().text("Hello there, friend.")]);
    const deltas: string[] = [];
    const result = await streamReply(request(fake.url, undefined, (d) => deltas.push(d)));
    expect(result.text).toBe("Hello there, friend.");
    expect(deltas.length).toBeGreaterThan(1);
    expect(result.finishReason).toBe("stop");
    expect(result.usage).toEqual({ inputTokens: 100, outputTokens: 20 });
    expect(fake.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true }, model: "fake-model" });
  });

  it("assembles parallel tool calls whose arguments arrive split, ids only on the first delta", async () => {
    fake = await startFakeOpenAI([
      reply().text("Reading both.").tool("read_file", { path: "a.txt" }, "call_a").tool("read_file", { path: "b/c.txt", offset: 3 }, "call_b"),
    ]);
    const result = await streamReply(request(fake.url));
    expect(result.toolCalls).toEqual([
      { id: "call_a", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } },
      { id: "call_b", type: "function", function: { name: "read_file", arguments: '{"path":"b/c.txt","offset":3}' } },
    ]);
    expect(result.finishReason).toBe("tool_calls");
  });

  it("keeps a completed call with malformed JSON so the model can be told", async () => {
    fake = await startFakeOpenAI([reply().rawTool("read_file", '{"path": ', "call_bad")]);
    const result = await streamReply(request(fake.url));
    expect(result.toolCalls).toEqual([{ id: "call_bad", type: "function", function: { name: "read_file", arguments: '{"path": ' } }]);
  });

  it("rejects a cut stream with the partial text and without the partial call", async () => {
    fake = await startFakeOpenAI([reply().text("I will read the file now").tool("read_file", { path: "long/path/name.txt" }).cutAfter(9)]);
    const error = await streamReply(request(fake.url)).catch((e) => e);
    expect(error).toBeInstanceOf(StreamCutError);
    expect(error.partial.text).toBe("I will read the file now");
    expect(error.partial.toolCalls).toEqual([]);
  });

  it("resolves with what arrived when aborted mid-stream", async () => {
    fake = await startFakeOpenAI([reply().text("partial answer").hang(2)]);
    const controller = new AbortController();
    const result = await streamReply(request(fake.url, controller.signal, () => setTimeout(() => controller.abort(), 10)));
    expect(result.finishReason).toBe("aborted");
    expect(result.text).toBe("partial ");
  });

  describe("provider stream shapes", () => {
    const call = (id: string, name: string, args: string) => ({ id, type: "function", function: { name, arguments: args } });

    it("Gemini-style: a whole call in one delta without index, finish_reason stop", async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { role: "assistant", tool_calls: [{ id: "g1", type: "function", function: { name: "read_file", arguments: '{"path":"a"}' } }] } },
          { delta: { tool_calls: [{ id: "g2", type: "function", function: { name: "read_file", arguments: '{"path":"b"}' } }] } },
          { delta: {}, finish_reason: "stop" },
        ),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.toolCalls).toEqual([call("g1", "read_file", '{"path":"a"}'), call("g2", "read_file", '{"path":"b"}')]);
    });

    it("parallel calls that all say index 0, told apart by their ids", async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { tool_calls: [{ index: 0, id: "x1", function: { name: "grep", arguments: '{"pattern":' } }] } },
          { delta: { tool_calls: [{ index: 0, function: { arguments: '"a"}' } }] } },
          { delta: { tool_calls: [{ index: 0, id: "x2", function: { name: "grep", arguments: '{"pattern":"b"}' } }] } },
          { delta: {}, finish_reason: "tool_calls" },
        ),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.toolCalls).toEqual([call("x1", "grep", '{"pattern":"a"}'), call("x2", "grep", '{"pattern":"b"}')]);
    });

    it("Ollama-style arguments as an object, and llama.cpp-style calls without an id", async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { content: null, tool_calls: [{ index: 0, function: { name: "read_file", arguments: { path: "a.txt" } } }] } },
          { delta: {}, finish_reason: "tool_calls" },
        ),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.toolCalls).toHaveLength(1);
      expect(result.toolCalls[0].function).toEqual({ name: "read_file", arguments: '{"path":"a.txt"}' });
      expect(result.toolCalls[0].id).toMatch(/^call_/);
      expect(result.text).toBe("");
    });

    it("a name repeated on every delta (some proxies) is not doubled", async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { tool_calls: [{ index: 0, id: "r1", function: { name: "grep", arguments: '{"pattern"' } }] } },
          { delta: { tool_calls: [{ index: 0, function: { name: "grep", arguments: ':"x"}' } }] } },
          { delta: {}, finish_reason: "tool_calls" },
        ),
      ]);
      expect((await streamReply(request(fake.url))).toolCalls).toEqual([call("r1", "grep", '{"pattern":"x"}')]);
    });

    it("a stream that ends without finish_reason is accepted when its calls are whole", async () => {
      fake = await startFakeOpenAI([
        reply().choices({ delta: { content: "ok " } }, { delta: { tool_calls: [{ index: 0, id: "n1", function: { name: "grep", arguments: '{"pattern":"y"}' } }] } }),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.text).toBe("ok ");
      expect(result.toolCalls).toEqual([call("n1", "grep", '{"pattern":"y"}')]);
    });

    it("a server that rejects stream_options is asked again without it", async () => {
      const { error } = await import("./support/fake-openai.js");
      fake = await startFakeOpenAI([error(400, "Unrecognized request argument supplied: stream_options"), reply().text("fine")]);
      const result = await streamReply(request(fake.url));
      expect(result.text).toBe("fine");
      expect(fake.requests[1]).not.toHaveProperty("stream_options");
    });
  });
});
