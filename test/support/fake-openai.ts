import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterEach, expect } from "vitest";

/**
 * A loopback server that speaks the OpenAI chat-completions protocol (streaming SSE included)
 * and plays a script of replies, one per request. A request the script does not expect is a
 * test failure (recorded in `unexpected`), never a silent "ok".
 */

interface ToolSpec {
  name: string;
  /** Raw JSON text of the arguments, exactly as the model would send it. */
  arguments: string;
  id: string;
  /** Fields beside id/type/function on the call's first delta (Gemini's extra_content). */
  extra?: Record<string, unknown>;
}

export class ReplyBuilder {
  readonly kind = "reply";
  texts: string[] = [];
  tools: ToolSpec[] = [];
  reasoningText?: { field: string; text: string };
  messageFields?: Record<string, unknown>;
  /** SSE events written verbatim after the chunks, before `data: [DONE]`. */
  rawEvents: string[] = [];
  cutAfterChunks?: number;
  hangAfterChunks?: number;
  /** Raw choice objects ({ delta, finish_reason }) sent as they are, for provider quirks. */
  rawChoices?: object[];
  delayMs = 0;
  /** Nothing is sent until this settles (to hold several concurrent requests open at once). */
  gate?: Promise<unknown>;
  keepAliveEveryMs?: number;
  finishReason?: string;
  usage = { prompt_tokens: 100, completion_tokens: 20 };

  text(text: string): this {
    this.texts.push(text);
    return this;
  }

  tool(name: string, args: unknown, id = `call_${Math.random().toString(36).slice(2, 10)}`): this {
    this.tools.push({ name, arguments: JSON.stringify(args), id });
    return this;
  }

  /** A tool call with extra fields on its first delta, e.g. { extra_content: { google: { thought_signature } } }. */
  toolWith(name: string, args: unknown, id: string, extra: Record<string, unknown>): this {
    this.tools.push({ name, arguments: JSON.stringify(args), id, extra });
    return this;
  }

  /** Reasoning streamed word by word before the text, under `field` (DeepSeek: reasoning_content; OpenRouter: reasoning). */
  reasoning(text: string, field = "reasoning_content"): this {
    this.reasoningText = { field, text };
    return this;
  }

  /** Extra fields on the message delta (one chunk of their own), e.g. Gemini's extra_content. */
  fields(fields: Record<string, unknown>): this {
    this.messageFields = fields;
    return this;
  }

  /** SSE text written as is after the chunks (each string one event), e.g. llama.cpp's `error: {...}`. */
  raw(...events: string[]): this {
    this.rawEvents.push(...events);
    return this;
  }

  /** llama.cpp's way to fail inside a 200 stream: an `error:` line, then [DONE]. */
  errorLine(error: object): this {
    return this.raw(`error: ${JSON.stringify(error)}`);
  }

  /** OpenRouter's way: a chunk carrying an `error` object. */
  errorChunk(error: object): this {
    return this.raw(`data: ${JSON.stringify({ id: "chatcmpl-fake", object: "chat.completion.chunk", choices: [], error })}`);
  }

  /** A tool call whose arguments are the given raw text (e.g. invalid JSON). */
  rawTool(name: string, rawArguments: string, id = `call_${Math.random().toString(36).slice(2, 10)}`): this {
    this.tools.push({ name, arguments: rawArguments, id });
    return this;
  }

  /** Send exactly these choices ({ delta, finish_reason? }), one chunk each, instead of text and tools. */
  choices(...choices: object[]): this {
    this.rawChoices = choices;
    return this;
  }

  /** Destroy the socket after sending this many chunks. */
  cutAfter(chunks: number): this {
    this.cutAfterChunks = chunks;
    return this;
  }

  /** Send this many chunks, then never finish (for Ctrl-C tests). */
  hang(afterChunks = 1): this {
    this.hangAfterChunks = afterChunks;
    return this;
  }

  /** Send no chunk at all, only `: keep-alive` SSE comments every `everyMs` until the client leaves. */
  keepAliveOnly(everyMs = 50): this {
    this.keepAliveEveryMs = everyMs;
    return this;
  }

  delay(ms: number): this {
    this.delayMs = ms;
    return this;
  }

  /** Answer only once `gate` settles, e.g. when other requests have arrived too. */
  after(gate: Promise<unknown>): this {
    this.gate = gate;
    return this;
  }

  finish(reason: string): this {
    this.finishReason = reason;
    return this;
  }
}

export class ErrorReply {
  readonly kind = "error";
  constructor(
    readonly status: number,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

export type Scripted = ReplyBuilder | ErrorReply;

export const reply = () => new ReplyBuilder();
export const error = (status: number, message = `error ${status}`, headers: Record<string, string> = {}) =>
  new ErrorReply(status, message, headers);

/** How a server says "the prompt is larger than my window", as each provider family words it. */
export type OverflowShape = "openai" | "llama.cpp" | "vllm";

export interface FakeOptions {
  /** `null` makes GET /models answer 404, as some servers do. */
  models?: string[] | null;
  /**
   * A real window: every request is sized with a real tokenizer (o200k), reported as
   * usage.prompt_tokens, and a request over the window is answered 400 in `overflow`'s shape.
   */
  window?: number;
  overflow?: OverflowShape;
  /** Answer GET /props with n_ctx = window, as llama.cpp does. */
  props?: boolean;
  /** Answer POST /api/show as Ollama does: the trained context_length, and a num_ctx line if given. */
  ollama?: { contextLength: number; numCtx?: number };
  /** Answer the window probes (/models, /props, /api/show) only after this long, as a slow remote does. */
  probeDelayMs?: number;
  /** Replies for requests the script does not cover, decided from the request (long sessions). */
  respond?: (body: any, index: number) => Scripted | undefined;
}

export interface FakeOpenAI {
  /** Base URL to give the client, ending in /v1. */
  url: string;
  /** Every chat-completions request body, in order. */
  requests: any[];
  /** The prompt tokens of each request (o200k), in order; only with a window. */
  tokens: number[];
  /** For each chat-completions request, ms since the first window probe arrived (undefined: none had). */
  sinceFirstProbe: (number | undefined)[];
  /** How many requests were answered with an overflow error. */
  overflows: number;
  /** Requests that arrived after the script was exhausted. */
  unexpected: string[];
  /** Add more replies to the end of the script. */
  push(...replies: Scripted[]): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(script: Scripted[], options: FakeOptions = {}): Promise<FakeOpenAI> {
  const queue = [...script];
  const requests: any[] = [];
  const tokens: number[] = [];
  let overflows = 0;
  const unexpected: string[] = [];
  let firstProbeAt: number | undefined;
  const sinceFirstProbe: (number | undefined)[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer(async (req, res) => {
    const probe = (req.method === "GET" && (req.url?.endsWith("/models") || req.url === "/props")) || req.url === "/api/show";
    if (probe) firstProbeAt ??= Date.now();
    if (probe && options.probeDelayMs) await new Promise((resolve) => setTimeout(resolve, options.probeDelayMs));
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      if (options.models === null) return json(res, 404, { error: { message: "not found" } });
      return json(res, 200, { object: "list", data: (options.models ?? ["fake-model"]).map((id) => ({ id, object: "model" })) });
    }
    if (req.method === "GET" && req.url === "/props" && options.props && options.window) {
      return json(res, 200, { default_generation_settings: { n_ctx: options.window }, total_slots: 1 });
    }
    if (req.method === "POST" && req.url === "/api/show" && options.ollama) {
      const { contextLength, numCtx } = options.ollama;
      return json(res, 200, { model_info: { "qwen2.context_length": contextLength }, parameters: numCtx ? `num_ctx ${numCtx}` : "" });
    }
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) return json(res, 404, { error: { message: "not found" } });
    const body = JSON.parse(await readBody(req));
    requests.push(body);
    sinceFirstProbe.push(firstProbeAt === undefined ? undefined : Date.now() - firstProbeAt);
    if (options.window) {
      const size = promptTokens(body);
      tokens.push(size);
      if (size > options.window) {
        overflows++;
        return overflowError(res, options.overflow ?? "openai", options.window, size);
      }
    }
    const next = queue.shift() ?? options.respond?.(body, requests.length - 1);
    if (!next) {
      const roles = body.messages.map((m: any) => m.role).join(",");
      unexpected.push(`request #${requests.length} was not in the script (roles: ${roles})`);
      return json(res, 500, { error: { message: "fake-openai: unexpected request (script exhausted)" } });
    }
    if (next instanceof ErrorReply) {
      res.writeHead(next.status, { "content-type": "application/json", ...next.headers });
      return res.end(JSON.stringify({ error: { message: next.message, type: "fake_error", code: null } }));
    }
    // The real count replaces the scripted one; anything else the script reports (cached tokens, cost) stays.
    if (options.window) next.usage = { ...next.usage, prompt_tokens: tokens.at(-1)!, completion_tokens: 20 };
    await stream(res, next, body);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    tokens,
    sinceFirstProbe,
    get overflows() {
      return overflows;
    },
    unexpected,
    push: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function stream(res: ServerResponse, scripted: ReplyBuilder, body: any): Promise<void> {
  if (scripted.gate) await scripted.gate.catch(() => undefined);
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  if (scripted.keepAliveEveryMs !== undefined) {
    const timer = setInterval(() => res.write(": keep-alive\n\n"), scripted.keepAliveEveryMs);
    res.on("close", () => clearInterval(timer));
    return;
  }
  const chunks = chunksFor(scripted, body);
  let sent = 0;
  for (const chunk of chunks) {
    if (scripted.cutAfterChunks !== undefined && sent >= scripted.cutAfterChunks) {
      res.socket?.destroy();
      return;
    }
    if (scripted.hangAfterChunks !== undefined && sent >= scripted.hangAfterChunks) return;
    if (scripted.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    if (res.destroyed) return;
    // Wait for each write to flush, so a cut or hang happens exactly after the chunks sent.
    await new Promise((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, resolve));
    sent++;
  }
  for (const event of scripted.rawEvents) await new Promise((resolve) => res.write(`${event}\n\n`, resolve));
  res.end("data: [DONE]\n\n");
}

function chunksFor(scripted: ReplyBuilder, body: any): object[] {
  const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: body.model };
  const chunk = (delta: object, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason }] });
  if (scripted.rawChoices) return scripted.rawChoices.map((choice) => ({ ...base, choices: [{ index: 0, ...choice }] }));
  const chunks: object[] = [chunk({ role: "assistant", content: "" })];
  const words = (text: string) => text.match(/\S*\s*/g)!.filter(Boolean);
  if (scripted.reasoningText) {
    const { field, text } = scripted.reasoningText;
    for (const piece of words(text)) chunks.push(chunk({ content: null, [field]: piece }));
  }
  if (scripted.messageFields) chunks.push(chunk(scripted.messageFields));
  for (const text of scripted.texts) {
    for (const piece of words(text)) chunks.push(chunk({ content: piece }));
  }
  scripted.tools.forEach((tool, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: tool.id, type: "function", ...tool.extra, function: { name: tool.name, arguments: "" } }] }));
    // Split the arguments in three, as real servers do, with the id only on the first delta.
    const third = Math.ceil(tool.arguments.length / 3) || 1;
    for (let i = 0; i < tool.arguments.length; i += third) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: tool.arguments.slice(i, i + third) } }] }));
    }
  });
  chunks.push(chunk({}, scripted.finishReason ?? (scripted.tools.length ? "tool_calls" : "stop")));
  if (body.stream_options?.include_usage) chunks.push({ ...base, choices: [], usage: { ...scripted.usage, total_tokens: 120 } });
  return chunks;
}

/**
 * The prompt as a chat template would see it: each message's role, text and tool calls, plus the
 * tool schemas, counted with a real tokenizer (not the client's estimate), 4 tokens per message.
 */
export function promptTokens(body: any): number {
  let total = body.tools ? countTokens(JSON.stringify(body.tools)) : 0;
  for (const message of body.messages) {
    const text = typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? "");
    const calls = (message.tool_calls ?? []).map((c: any) => `${c.function.name}(${c.function.arguments})`).join("\n");
    total += 4 + countTokens(`${message.role}\n${text}\n${calls}`);
  }
  return total;
}

function overflowError(res: ServerResponse, shape: OverflowShape, window: number, size: number): void {
  if (shape === "llama.cpp") {
    return json(res, 400, {
      error: { code: 400, message: "the request exceeds the available context size, try increasing it", type: "exceed_context_size_error", n_prompt_tokens: size, n_ctx: window },
    });
  }
  if (shape === "vllm") {
    return json(res, 400, {
      error: {
        message: `This model's maximum context length is ${window} tokens. However, you requested ${size} tokens in the messages, Please reduce the length of the messages.`,
        type: "BadRequestError",
        code: 400,
      },
    });
  }
  return json(res, 400, {
    error: {
      message: `This model's maximum context length is ${window} tokens. However, your messages resulted in ${size} tokens. Please reduce the length of the messages.`,
      type: "invalid_request_error",
      param: "messages",
      code: "context_length_exceeded",
    },
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (data += chunk));
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

/**
 * For a test file: returns a starter whose servers are closed after each test, failing the test
 * if any request arrived that the script did not expect.
 */
export function useFakeOpenAI(): (script: Scripted[], options?: FakeOptions) => Promise<FakeOpenAI> {
  let started: FakeOpenAI[] = [];
  afterEach(async () => {
    const fakes = started;
    started = [];
    await Promise.all(fakes.map((fake) => fake.close()));
    for (const fake of fakes) expect(fake.unexpected).toEqual([]);
  });
  return async (script, options) => {
    const fake = await startFakeOpenAI(script, options);
    started.push(fake);
    return fake;
  };
}
