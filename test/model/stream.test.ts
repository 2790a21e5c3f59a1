import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../../src/model/client.js";
import { EmptyStreamError, ProviderStreamError, streamReply, StreamCutError } from "../../src/model/stream.js";
import { reply, startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";

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
      const { error } = await import("../support/fake-openai.js");
      fake = await startFakeOpenAI([error(400, "Unrecognized request argument supplied: stream_options"), reply().text("fine")]);
      const result = await streamReply(request(fake.url));
      expect(result.text).toBe("fine");
      expect(fake.requests[1]).not.toHaveProperty("stream_options");
    });
  });

  const call = (id: string, name: string, args: string) => ({ id, type: "function", function: { name, arguments: args } });

  describe("what providers send beside the text", () => {
    it("DeepSeek-style reasoning_content: streamed to onReasoning, never to onText, kept under its own name", async () => {
      fake = await startFakeOpenAI([reply().reasoning("The user wants a file. I will read it.").tool("read_file", { path: "a" }, "d1")]);
      const reasoning: string[] = [];
      const text: string[] = [];
      const result = await streamReply({ ...request(fake.url, undefined, (d) => text.push(d)), onReasoning: (d) => reasoning.push(d) });
      expect(reasoning.join("")).toBe("The user wants a file. I will read it.");
      expect(reasoning.length).toBeGreaterThan(1);
      expect(text.join("")).toBe("");
      expect(result.reasoning).toBe("The user wants a file. I will read it.");
      expect(result.fields).toEqual({ reasoning_content: "The user wants a file. I will read it." });
      expect(result.text).toBe("");
    });

    it("OpenRouter-style reasoning keeps the name `reasoning`", async () => {
      fake = await startFakeOpenAI([reply().reasoning("Short thought.", "reasoning").text("Hi.")]);
      const result = await streamReply(request(fake.url));
      expect(result.fields).toEqual({ reasoning: "Short thought." });
      expect(result.text).toBe("Hi.");
    });

    it("Gemini-style extra_content on a tool call and on the message comes back verbatim; nulls are not fields", async () => {
      const signature = { google: { thought_signature: "c2lnbmF0dXJlLUE=" } };
      fake = await startFakeOpenAI([
        reply()
          .fields({ extra_content: { google: { thought_signature: "bWVzc2FnZQ==" } }, refusal: null, audio: null })
          .toolWith("read_file", { path: "a.txt" }, "function-call-1", { extra_content: signature }),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.toolCalls).toEqual([
        { extra_content: signature, id: "function-call-1", type: "function", function: { name: "read_file", arguments: '{"path":"a.txt"}' } },
      ]);
      expect(result.fields).toEqual({ extra_content: { google: { thought_signature: "bWVzc2FnZQ==" } } });
    });
  });

  describe("stream shapes that must not end a turn silently", () => {
    it('a call whose first chunk carries "{}" and whose real arguments follow keeps the real object', async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { tool_calls: [{ index: 0, id: "p1", type: "function", function: { name: "read_file", arguments: "{}" } }] } },
          { delta: { tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] } },
          { delta: { tool_calls: [{ index: 0, function: { arguments: '"src/app.ts"}' } }] } },
          { delta: {}, finish_reason: "tool_calls" },
        ),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.toolCalls).toEqual([call("p1", "read_file", '{"path":"src/app.ts"}')]);
    });

    it("llama.cpp's `error:` line inside a 200 stream rejects with the server's own message", async () => {
      fake = await startFakeOpenAI([
        reply()
          .choices({ delta: { role: "assistant", content: null } })
          .errorLine({ code: 400, message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error", n_prompt_tokens: 17000, n_ctx: 16384 }),
      ]);
      const client = await createClient({ baseURL: fake.url, apiKey: "test", requestTimeoutMs: 5000, maxRetries: 0 });
      const error = await streamReply({ ...request(fake.url), client }).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderStreamError);
      expect(error.message).toBe("the request exceeds the available context size, try increasing it");
      expect(error.detail).toMatchObject({ type: "exceed_context_size_error", n_ctx: 16384 });
      expect(error.partial.toolCalls).toEqual([]);
    });

    it("without the line filter the same stream would end empty: that is a failure too, never an empty answer", async () => {
      fake = await startFakeOpenAI([reply().choices({ delta: { role: "assistant", content: null } }).errorLine({ code: 500, message: "boom" })]);
      const error = await streamReply(request(fake.url)).catch((e) => e);
      expect(error).toBeInstanceOf(EmptyStreamError);
    });

    it("OpenRouter's error object on a chunk rejects with its message; the partial text is kept, the half call is not", async () => {
      fake = await startFakeOpenAI([
        reply()
          .choices(
            { delta: { content: "Let me look " } },
            { delta: { tool_calls: [{ index: 0, id: "o1", type: "function", function: { name: "read_file", arguments: '{"pa' } }] } },
          )
          .errorChunk({ code: 502, message: "Provider returned error: upstream overloaded" }),
      ]);
      const error = await streamReply(request(fake.url)).catch((e) => e);
      expect(error).toBeInstanceOf(ProviderStreamError);
      expect(error.message).toBe("Provider returned error: upstream overloaded");
      expect(error.partial.text).toBe("Let me look ");
      expect(error.partial.toolCalls).toEqual([]);
    });

    it("an `event: error` SSE event is reported with its message, with or without an `error` wrapper", async () => {
      fake = await startFakeOpenAI([
        reply().choices({ delta: { content: "" } }).raw('event: error\ndata: {"message":"model crashed"}'),
        reply().choices({ delta: { content: "" } }).raw('event: error\ndata: {"error":{"message":"overloaded","code":529}}'),
      ]);
      const bare = await streamReply(request(fake.url)).catch((e) => e);
      expect(bare).toBeInstanceOf(ProviderStreamError);
      expect(bare.message).toBe("model crashed");
      const wrapped = await streamReply(request(fake.url)).catch((e) => e);
      expect(wrapped).toBeInstanceOf(ProviderStreamError);
      expect(wrapped.message).toBe("overloaded");
      expect(wrapped.detail).toEqual({ message: "overloaded", code: 529 });
    });

    it("a stream that ends with no finish_reason and no content is a failure, not an empty success", async () => {
      fake = await startFakeOpenAI([reply().choices({ delta: { role: "assistant", content: "" } })]);
      await expect(streamReply(request(fake.url))).rejects.toBeInstanceOf(EmptyStreamError);
    });

    it("a reply cut by the output limit keeps its calls (to be answered, not run) with cut JSON replaced by {}", async () => {
      fake = await startFakeOpenAI([
        reply().choices(
          { delta: { tool_calls: [{ index: 0, id: "l1", type: "function", function: { name: "write_file", arguments: '{"path":"a.txt","content":"line 1\\nli' } }] } },
          { delta: {}, finish_reason: "length" },
        ),
      ]);
      const result = await streamReply(request(fake.url));
      expect(result.finishReason).toBe("length");
      expect(result.toolCalls).toEqual([call("l1", "write_file", "{}")]);
    });
  });
});
