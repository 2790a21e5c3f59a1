import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import type { AssistantMessage, Message, ToolCall } from "../../src/model/history.js";import { createClient } from "../../src/model/client.js";
import { BodyBuffer } from "../../src/model/request-body.js";
import { streamReply } from "../../src/model/stream.js";
import { error, reply, startFakeOpenAI, type FakeOpenAI } from "../support/fake-openai.js";

/** A history with what JSON must escape: quotes, newlines, controls, non-ASCII, an emoji and a lone surrogate. */
function history(): Message[] {
  return [
    { role: "system", content: "You are terse." },
    { role: "user", content: 'Say "hi"\n\ttwice — café, 日本語, 🚀, and \u0001' },
    { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"a.ts"}' } }] },
    { role: "tool", tool_call_id: "call_1", content: "half a pair: \ud800 end" },
    { role: "assistant", content: "done", name: undefined } as Message,
  ];
}

const encodeRequest = <T extends { messages: readonly object[] }>(params: T) => new BodyBuffer().encode(params, true);
const text = async (body: { stream: ReadableStream<Uint8Array> }) => Buffer.from(await new Response(body.stream).arrayBuffer()).toString("utf8");

describe("encodeRequest", () => {
  it("gives exactly the bytes JSON.stringify gives, with the other fields before the messages", async () => {
    const tools = [{ type: "function", function: { name: "read_file", description: "Reads", parameters: { type: "object" } } }];
    const params = { model: "m", messages: history(), stream: true, tools, stream_options: { include_usage: true }, absent: undefined, hook: () => 1 };
    const body = encodeRequest(params);
    const { messages, ...rest } = params;
    const expected = JSON.stringify({ ...rest, messages });
    expect(await text(body)).toBe(expected);
    expect(body.length).toBe(Buffer.byteLength(expected));
  });

  it("encodes an empty history and a body with no other fields", async () => {
    expect(await text(encodeRequest({ model: "m", messages: [] }))).toBe('{"model":"m","messages":[]}');
    expect(await text(encodeRequest({ messages: [{ role: "user", content: "x" }] }))).toBe('{"messages":[{"role":"user","content":"x"}]}');
  });

  it("never writes over a body that can still be read: its stream is open, or a request is being sent", async () => {
    const bodies = new BodyBuffer();
    const first = bodies.encode({ model: "m", messages: history() }, true);
    const firstText = JSON.stringify({ model: "m", messages: history() });
    // The first body's stream is still open: the second must not touch its bytes.
    const second = bodies.encode({ model: "other", messages: [{ role: "user", content: "overwrite?" }] }, true);
    expect(await text(first)).toBe(firstText);
    expect(await text(second)).toBe('{"model":"other","messages":[{"role":"user","content":"overwrite?"}]}');
    // While a request is being sent, a new body gets a buffer of its own.
    const whileSending = bodies.encode({ model: "m", messages: [{ role: "user", content: "a" }] }, false);
    const idle = bodies.encode({ model: "m", messages: [{ role: "user", content: "b" }] }, true);
    expect(await text(whileSending)).toBe('{"model":"m","messages":[{"role":"user","content":"a"}]}');
    expect(await text(idle)).toBe('{"model":"m","messages":[{"role":"user","content":"b"}]}');
  });

  it("freezes every message it sent, so an edit in place throws instead of going stale; a replaced message is sent", async () => {
    const messages = history();
    await text(encodeRequest({ model: "m", messages }));
    const call = messages[2] as AssistantMessage & { tool_calls: ToolCall[] };
    expect(() => {
      (messages[1] as { content: string }).content = "edited";
    }).toThrow(TypeError);
    expect(() => {
      call.tool_calls[0].function.arguments = '{"path":"b.ts"}';
    }).toThrow(TypeError);
    expect(() => call.tool_calls.push(call.tool_calls[0])).toThrow(TypeError);
    messages[1] = { role: "user", content: "replaced" };
    const next = JSON.parse(await text(encodeRequest({ model: "m", messages })));
    expect(next.messages[1]).toEqual({ role: "user", content: "replaced" });
    expect(next.messages[2].tool_calls[0].function.arguments).toBe('{"path":"a.ts"}');
  });
});

let server: Server | undefined;
let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await fake?.close();
  fake = undefined;
});

/** A server that records each request (headers, body bytes) and answers with a one-word event stream. */
async function recorder(): Promise<{ url: string; seen: { headers: IncomingHttpHeaders; body: Buffer }[] }> {
  const seen: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(200, { "content-type": "text/event-stream" });
    const chunk = { id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: "ok" }, finish_reason: "stop" }] };
    res.end(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`, seen };
}

describe("the CLI's client", () => {
  it("sends a chat body whole, with its Content-Length and without chunked encoding", async () => {
    const { url, seen } = await recorder();
    // Larger than one slice, so the stream is read in several pieces.
    const messages: Message[] = Array.from({ length: 40 }, (_, i) => ({ role: "user", content: `${i} ${"é".repeat(3000)}` }));
    const client = await createClient({ baseURL: url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const result = await streamReply({ client, model: "m", messages, tools: [], signal: new AbortController().signal });
    expect(result.text).toBe("ok");
    const sent = seen[0].body.toString("utf8");
    expect(seen[0].headers["content-length"]).toBe(String(seen[0].body.byteLength));
    expect(seen[0].headers["content-type"]).toBe("application/json");
    expect(seen[0].headers["transfer-encoding"]).toBeUndefined();
    // The same JSON as the client's own, with the messages last.
    expect(sent).toBe(JSON.stringify({ model: "m", stream: true, stream_options: { include_usage: true }, messages }));
  });

  it("sends the same body as a plain openai client, which makes its own JSON", async () => {
    const { url, seen } = await recorder();
    const ours = await createClient({ baseURL: url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 0 });
    const plain = new OpenAI({ baseURL: url, apiKey: "x", maxRetries: 0 });
    const tools = [{ type: "function", function: { name: "read_file", parameters: { type: "object" } } }];
    for (const client of [ours, plain]) await streamReply({ client, model: "m", messages: history(), tools, signal: new AbortController().signal });
    expect(JSON.parse(seen[0].body.toString("utf8"))).toEqual(JSON.parse(seen[1].body.toString("utf8")));
    expect(seen[0].headers.authorization).toBe(seen[1].headers.authorization);
  });

  it("a retried request carries the same whole history, and the retry is reported", async () => {
    fake = await startFakeOpenAI([error(500, "oops", { "retry-after-ms": "0" }), reply().text("fine")]);
    const retries: number[] = [];
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 2 }, (attempt) => retries.push(attempt));
    const result = await streamReply({ client, model: "fake-model", messages: history(), tools: [], signal: new AbortController().signal });
    expect(result.text).toBe("fine");
    expect(retries).toEqual([1]);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]).toEqual(fake.requests[0]);
    expect(fake.requests[1].messages).toEqual(JSON.parse(JSON.stringify(history())));
  });
});
