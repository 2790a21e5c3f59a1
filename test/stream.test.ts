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
});
