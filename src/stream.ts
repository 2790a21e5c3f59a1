import type OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Message, ToolCall } from "./history.js";
import { idleWatchdog } from "./idle-watchdog.js";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Reply {
  text: string;
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
  /** Milliseconds without a chunk before the stream is given up (default STREAM_IDLE_MS). */
  idleMs?: number;
}

export const STREAM_IDLE_MS = 5 * 60_000;

/** Some servers (older vLLM, some proxies) reject stream_options; remember that per process. */
let sendStreamOptions = true;

/**
 * Stream one assistant reply. Text deltas go to `onText` as they arrive; tool calls are
 * assembled from their deltas.
 *
 * Contract: resolves with the whole reply; on abort resolves with what arrived (finishReason
 * "aborted"); when the connection breaks mid-reply rejects with StreamCutError carrying the
 * partial reply, and with StreamIdleError (a StreamCutError) when no chunk came for `idleMs`;
 * HTTP errors reject with the openai package's typed errors.
 */
export async function streamReply(request: StreamRequest): Promise<Reply> {
  const idleMs = request.idleMs ?? STREAM_IDLE_MS;
  const watchdog = idleWatchdog(request.signal, idleMs);
  const assembler = new ReplyAssembler();
  // HTTP errors (401, 404, 429 after retries) reject here, typed, before the watchdog starts.
  const stream = await openStream({ ...request, signal: watchdog.signal }).catch((error) => {
    watchdog.stop();
    throw error;
  });
  try {
    watchdog.reset();
    for await (const chunk of stream) {
      watchdog.reset();
      const delta = assembler.add(chunk);
      if (delta) request.onText?.(delta);
    }
  } catch (error) {
    if (request.signal.aborted) return assembler.finish("aborted");
    if (watchdog.fired) throw new StreamIdleError(assembler.finish(null), idleMs);
    throw new StreamCutError(assembler.finish(null), error);
  } finally {
    watchdog.stop();
  }
  if (request.signal.aborted) return assembler.finish("aborted");
  if (watchdog.fired) throw new StreamIdleError(assembler.finish(null), idleMs);
  const reply = assembler.finish(assembler.finishReason);
  if (!assembler.finishReason && assembler.hasIncompleteCall()) throw new StreamCutError(reply);
  return reply;
}

async function openStream({ client, model, messages, tools, signal }: StreamRequest) {
  const body = {
    model,
    messages,
    stream: true as const,
    ...(tools.length ? { tools: tools as never } : {}),
  };
  if (!sendStreamOptions) return client.chat.completions.create(body, { signal });
  try {
    return await client.chat.completions.create({ ...body, stream_options: { include_usage: true } }, { signal });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if ((status === 400 || status === 422) && /stream_options|include_usage/i.test(String((error as Error).message))) {
      sendStreamOptions = false;
      return client.chat.completions.create(body, { signal });
    }
    throw error;
  }
}

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Collects chunks into one reply. Providers differ: ids may come only on the first delta,
 * `index` may be missing (some Gemini and Ollama versions), arguments may arrive as one object
 * instead of string pieces, and ids may be absent (some llama.cpp builds).
 */
class ReplyAssembler {
  private text = "";
  private calls: PartialCall[] = [];
  private byIndex = new Map<number, PartialCall>();
  finishReason: string | null = null;
  private usage?: Usage;

  add(chunk: ChatCompletionChunk): string {
    if (chunk.usage) {
      this.usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
    }
    const choice = chunk.choices?.[0];
    if (!choice) return "";
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    const delta = choice.delta ?? {};
    for (const part of delta.tool_calls ?? []) this.addCallDelta(part);
    const content = typeof delta.content === "string" ? delta.content : "";
    this.text += content;
    return content;
  }

  private addCallDelta(part: NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number]): void {
    const args = part.function?.arguments as unknown;
    const piece = typeof args === "string" ? args : args === undefined || args === null ? "" : JSON.stringify(args);
    let call = typeof part.index === "number" ? this.byIndex.get(part.index) : undefined;
    // A new id on a known index means a new call from a provider that reuses index 0.
    if (call && part.id && call.id !== part.id && part.function?.name) call = undefined;
    if (!call && typeof part.index !== "number" && !part.id && !part.function?.name) call = this.calls.at(-1);
    if (!call) {
      call = { id: part.id || `call_${this.calls.length}_${Date.now().toString(36)}`, name: "", arguments: "" };
      this.calls.push(call);
      if (typeof part.index === "number") this.byIndex.set(part.index, call);
    }
    if (part.function?.name) call.name += call.name === part.function.name ? "" : part.function.name;
    call.arguments += piece;
  }

  hasIncompleteCall(): boolean {
    return this.calls.some((call) => !isCompleteJson(call.arguments));
  }

  finish(finishReason: string | null): Reply {
    const cut = finishReason === null || finishReason === "aborted";
    // In a cut stream even empty arguments may be the start of a call, so only whole JSON counts.
    const complete = this.calls.filter((call) => call.name && call.arguments.trim() && isCompleteJson(call.arguments));
    // When the stream completed, a call with malformed JSON is kept so the model hears its mistake.
    const kept = cut ? complete : this.calls.filter((call) => call.name);
    return {
      text: this.text,
      toolCalls: kept.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
      finishReason,
      usage: this.usage,
    };
  }
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
