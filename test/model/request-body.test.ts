import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../src/model/history.js";
import { createClient } from "../../src/model/client.js";
import { encodeRequest, withStreamedBody } from "../../src/model/request-body.js";
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

const decode = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");

describe("encodeRequest", () => {
  it("gives exactly the bytes JSON.stringify gives, with the other fields before the messages", () => {
    const tools = [{ type: "function", function: { name: "read_file", description: "Reads", parameters: { type: "object" } } }];
    const params = { model: "m", messages: history(), stream: true, tools, stream_options: { include_usage: true }, absent: undefined, hook: () => 1 };
    const body = encodeRequest(params);
    const { messages, ...rest } = params;
    expect(decode(body.bytes)).toBe(JSON.stringify({ ...rest, messages }));
    expect(JSON.parse(decode(body.bytes))).toEqual(JSON.parse(JSON.stringify(params)));
    body.release();
  });

  it("encodes an empty history and a body with no other fields", () => {
    const empty = encodeRequest({ model: "m", messages: [] });
    expect(decode(empty.bytes)).toBe('{"model":"m","messages":[]}');
    empty.release();
    const bare = encodeRequest({ messages: [{ role: "user", content: "x" }] });
    expect(decode(bare.bytes)).toBe('{"messages":[{"role":"user","content":"x"}]}');
    bare.release();
  });

  it("keeps bytes intact while they are held, and reuses the buffer once they are released", () => {
    const first = encodeRequest({ model: "m", messages: history() });
    const text = decode(first.bytes);
    const second = encodeRequest({ model: "other", messages: [{ role: "user", content: "overwrite?" }] });
    expect(decode(first.bytes)).toBe(text);
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    second.release();
    const third = encodeRequest({ model: "m", messages: [{ role: "user", content: "again" }] });
    expect(third.bytes.buffer).toBe(second.bytes.buffer);
    expect(decode(first.bytes)).toBe(text);
    first.release();
    third.release();
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

/** A plain HTTP server that records what arrives: headers and the body as bytes. */
async function recorder(): Promise<{ url: string; seen: { headers: IncomingHttpHeaders; body: Buffer }[] }> {
  const seen: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.end("ok");
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/`, seen };
}

describe("withStreamedBody", () => {
  it("sends an encoded body whole, with its Content-Length and without chunked encoding", async () => {
    const { url, seen } = await recorder();
    // Larger than one slice, so the stream is read in several pieces.
    const messages: Message[] = Array.from({ length: 40 }, (_, i) => ({ role: "user", content: `${i} ${"é".repeat(3000)}` }));
    const body = encodeRequest({ model: "m", messages });
    const response = await withStreamedBody(fetch)(url, { method: "POST", body: body.bytes, headers: { "content-type": "application/json" } });
    expect(await response.text()).toBe("ok");
    body.release();
    expect(seen[0].headers["content-length"]).toBe(String(body.bytes.byteLength));
    expect(seen[0].headers["transfer-encoding"]).toBeUndefined();
    expect(seen[0].body.toString("utf8")).toBe(JSON.stringify({ model: "m", messages }));
  });

  it("passes any other body on as it is", async () => {
    const { url, seen } = await recorder();
    await withStreamedBody(fetch)(url, { method: "POST", body: "plain text" });
    expect(seen[0].body.toString("utf8")).toBe("plain text");
    expect(seen[0].headers["content-length"]).toBe("10");
  });

  it("through the CLI's client: a retried request carries the same whole history", async () => {
    fake = await startFakeOpenAI([error(500, "oops", { "retry-after-ms": "0" }), reply().text("fine")]);
    const client = await createClient({ baseURL: fake.url, apiKey: "x", requestTimeoutMs: 10_000, maxRetries: 2 });
    const result = await streamReply({ client, model: "fake-model", messages: history(), tools: [], signal: new AbortController().signal });
    expect(result.text).toBe("fine");
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]).toEqual(fake.requests[0]);
    expect(fake.requests[1].messages).toEqual(JSON.parse(JSON.stringify(history())));
  });
});
