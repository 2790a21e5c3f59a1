import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import type { Message, ToolCall } from "./history.js";
import { mergeCallExtras, mergeMessageExtras, reasoningOf } from "./provider-fields.js";
import { describeDetail, providerError } from "./stream-errors.js";
import { idleWatchdog } from "./idle-watchdog.js";
import { readUsage, type Usage } from "./usage.js";

/**
 * One assistant reply from the openai client's stream: deltas assembled into text, reasoning,
 * provider fields and tool calls, and the ways a stream can end short, each its own error.
 */


export interface Reply {
  text: string;
  /** Reasoning the provider streamed beside the answer (shown dimmed, never as answer text). */
  reasoning: string;
  /**
   * Fields that go back on the assistant message as they came: the reasoning under the
   * provider's own name, and any field we do not know (provider-fields.ts says why).
   */
  fields: Record<string, unknown>;
  /** Only calls whose arguments arrived complete; a cut stream's partial call is dropped. */
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage?: Usage;
}

/** The stream broke before the reply finished; `partial` holds what had arrived. */
export class StreamCutError extends Error {
  constructor(
    readonly partial: Reply,
    readonly cause?: unknown,
  ) {
    super("The connection closed before the model finished its reply.");
  }
}

/**
 * The provider reported an error inside a 200 stream: an `error` object on a chunk (OpenRouter),
 * or an `error:` line (llama.cpp); stream-errors.ts reads both. `message` is the provider's own
 * words; `detail` is its error object as sent (code, type, and e.g. llama.cpp's n_ctx).
 */
export class ProviderStreamError extends Error {
  constructor(
    message: string,
    readonly partial: Reply,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

/** The stream ended with no finish_reason and nothing in it: a failure, not an empty answer. */
export class EmptyStreamError extends Error {
  constructor() {
    super("The model's reply ended without any text, tool call or finish reason.");
  }
}

/** No chunk for this long ends the stream with StreamIdleError (config: MINI_CLAUDE_STREAM_IDLE_MS). */
export class StreamIdleError extends StreamCutError {
  constructor(
    partial: Reply,
    readonly idleMs: number,
  ) {
    super(partial);
    this.message = `The endpoint sent nothing for ${idleMs / 1000} s.`;
  }
}

export interface StreamRequest {
  client: OpenAI;
  model: string;
  messages: Message[];
  tools: unknown[];
  signal: AbortSignal;
  onText?: (delta: string) => void;
  onReasoning?: (delta: string) => void;
  /** Milliseconds without a chunk before the stream is given up (default STREAM_IDLE_MS). */
  idleMs?: number;
}

export const STREAM_IDLE_MS = 5 * 60_000;

/** Some servers (older vLLM, some proxies) reject stream_options; remember that per process. */
let sendStreamOptions = true;

/**
 * Stream one assistant reply. Text deltas go to `onText` and reasoning deltas to `onReasoning`
 * as they arrive; tool calls are assembled from their deltas.
 *
 * Contract: resolves with the whole reply; on abort, whenever it comes (before the first byte or
 * mid-stream), resolves with what arrived and finishReason "aborted", never rejects; when the
 * connection breaks mid-reply rejects with StreamCutError carrying the partial reply, and with
 * StreamIdleError (a StreamCutError) when no chunk came for `idleMs`; an error the provider sends
 * inside the stream rejects with ProviderStreamError (its message is the provider's); a stream with
 * no finish_reason and no content rejects with EmptyStreamError; HTTP errors reject with the openai
 * package's typed errors.
 */
export async function streamReply(request: StreamRequest): Promise<Reply> {
  const idleMs = request.idleMs ?? STREAM_IDLE_MS;
  const watchdog = idleWatchdog(request.signal, idleMs);
  const assembler = new ReplyAssembler();
  let stream;
  try {
    // HTTP errors (401, 404, 429 after retries) reject here, typed, before the watchdog starts.
    stream = await openStream({ ...request, signal: watchdog.signal });
  } catch (error) {
    watchdog.stop();
    if (request.signal.aborted) return assembler.finish("aborted");
    throw error;
  }
  try {
    watchdog.reset();
    for await (const chunk of stream) {
      watchdog.reset();
      const { text, reasoning } = assembler.add(chunk);
      if (reasoning) request.onReasoning?.(reasoning);
      if (text) request.onText?.(text);
    }
  } catch (error) {
    if (request.signal.aborted) return assembler.finish("aborted");
    if (watchdog.fired) throw new StreamIdleError(assembler.finish(null), idleMs);
    const provider = providerError(error);
    if (provider) throw new ProviderStreamError(provider.message, assembler.finish(null), provider.detail);
    throw new StreamCutError(assembler.finish(null), error);
  } finally {
    watchdog.stop();
  }
  if (request.signal.aborted) return assembler.finish("aborted");
  if (assembler.errorDetail) {
    throw new ProviderStreamError(describeDetail(assembler.errorDetail), assembler.finish(null), assembler.errorDetail);
  }
  if (watchdog.fired) throw new StreamIdleError(assembler.finish(null), idleMs);
  const reply = assembler.finish(assembler.finishReason);
  if (!assembler.finishReason && assembler.hasIncompleteCall()) throw new StreamCutError(reply);
  if (!assembler.finishReason && !reply.text && reply.toolCalls.length === 0) throw new EmptyStreamError();
  return reply;
}

async function openStream({ client, model, messages, tools, signal }: StreamRequest) {
  const body = {
    model,
    messages,
    stream: true as const,
    ...(tools.length ? { tools: tools as never } : {}),
  };
  // Our client (client.ts) sends the body built from each message's JSON made once; any other
  // openai client sends its own JSON of the same params.
  const send = (params: ChatCompletionCreateParamsStreaming) => client.chat.completions.create(params, { signal });
  if (!sendStreamOptions) return send(body);
  try {
    return await send({ ...body, stream_options: { include_usage: true } });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if ((status === 400 || status === 422) && /stream_options|include_usage/i.test(String((error as Error).message))) {
      sendStreamOptions = false;
      return send(body);
    }
    throw error;
  }
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
  /** Fields beside id/type/function, kept verbatim (Gemini's extra_content). */
  extra: Record<string, unknown>;
}

/**
 * Collects chunks into one reply. Providers differ: ids may come only on the first delta,
 * `index` may be missing (some Gemini and Ollama versions), arguments may arrive as one object
 * instead of string pieces, and ids may be absent (some llama.cpp builds).
 */
class ReplyAssembler {
  private text = "";
  private reasoning = "";
  private fields: Record<string, unknown> = {};
  private calls: PartialCall[] = [];
  private byIndex = new Map<number, PartialCall>();
  finishReason: string | null = null;
  /** An error the provider sent as a chunk of its own rather than as an `error` field. */
  errorDetail?: unknown;
  private usage?: Usage;

  /** Returns the text and reasoning pieces this chunk added. */
  add(chunk: ChatCompletionChunk): { text: string; reasoning: string } {
    if (chunk.usage) {
      this.usage = readUsage(chunk.usage);
    }
    const choice = chunk.choices?.[0];
    if (!choice) {
      // An `event: error` whose data has no `error` key reaches us as a chunk with only a message.
      const stray = chunk as unknown as { message?: unknown };
      if (!chunk.choices && !chunk.usage && typeof stray.message === "string") this.errorDetail = stray;
      return { text: "", reasoning: "" };
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    const delta = (choice.delta ?? {}) as ChatCompletionChunk.Choice.Delta & Record<string, unknown>;
    for (const part of delta.tool_calls ?? []) this.addCallDelta(part);
    mergeMessageExtras(this.fields, delta);
    const thought = reasoningOf(delta);
    if (thought) {
      this.reasoning += thought.text;
      this.fields[thought.field] = `${(this.fields[thought.field] as string | undefined) ?? ""}${thought.text}`;
    }
    const content = typeof delta.content === "string" ? delta.content : "";
    this.text += content;
    return { text: content, reasoning: thought?.text ?? "" };
  }

  private addCallDelta(part: NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number]): void {
    const args = part.function?.arguments as unknown;
    const piece = typeof args === "string" ? args : args === undefined || args === null ? "" : JSON.stringify(args);
    let call = typeof part.index === "number" ? this.byIndex.get(part.index) : undefined;
    // A new id on a known index means a new call from a provider that reuses index 0.
    if (call && part.id && call.id !== part.id && part.function?.name) call = undefined;
    if (!call && typeof part.index !== "number" && !part.id && !part.function?.name) call = this.calls.at(-1);
    if (!call) {
      call = { id: part.id || `call_${this.calls.length}_${Date.now().toString(36)}`, name: "", arguments: "", extra: {} };
      this.calls.push(call);
      if (typeof part.index === "number") this.byIndex.set(part.index, call);
    }
    if (part.function?.name) call.name += call.name === part.function.name ? "" : part.function.name;
    call.arguments += piece;
    mergeCallExtras(call.extra, part as unknown as Record<string, unknown>);
  }

  hasIncompleteCall(): boolean {
    return this.calls.some((call) => !isCompleteJson(withoutPlaceholder(call.arguments)));
  }

  finish(finishReason: string | null): Reply {
    const cut = finishReason === null || finishReason === "aborted";
    const calls = this.calls.map((call) => ({ ...call, arguments: withoutPlaceholder(call.arguments) }));
    // In a cut stream even empty arguments may be the start of a call, so only whole JSON counts.
    const complete = calls.filter((call) => call.name && call.arguments.trim() && isCompleteJson(call.arguments));
    // When the stream completed, a call with malformed JSON is kept so the model hears its mistake.
    // A reply cut by the output limit keeps its calls too (each is answered, none is run), but a
    // cut-off argument string becomes {}: servers such as llama.cpp reject a history holding it.
    const named = calls.filter((call) => call.name);
    if (finishReason === "length") for (const call of named) if (!isCompleteJson(call.arguments)) call.arguments = "{}";
    const kept = cut ? complete : named;
    return {
      text: this.text,
      reasoning: this.reasoning,
      fields: { ...this.fields },
      toolCalls: kept.map((call) => ({ ...call.extra, id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
      finishReason,
      usage: this.usage,
    };
  }
}

/**
 * Some servers open a call with the placeholder arguments "{}" and then stream the real ones,
 * so the pieces concatenate to `{}{"path":…}`: keep the real object.
 */
function withoutPlaceholder(text: string): string {
  const placeholder = /^\s*\{\s*\}\s*(?=\{)/.exec(text);
  return placeholder ? text.slice(placeholder[0].length) : text;
}

function isCompleteJson(text: string): boolean {
  if (text.trim() === "") return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
