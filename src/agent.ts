import type OpenAI from "openai";
import { closeInterruptedTurn, type AssistantMessage, type Message, type ToolCall } from "./history.js";
import { streamReply, StreamCutError, type Usage } from "./stream.js";
import { labelFor, runTool, toolSpecs, type FileDiff, type ToolContext } from "./tools/index.js";

export type AgentEvent =
  | { type: "request"; step: number }
  | { type: "text"; delta: string }
  | { type: "assistant_end"; text: string }
  | { type: "tool_start"; id: string; name: string; label: string }
  | {
      type: "tool_end";
      id: string;
      name: string;
      label: string;
      ok: boolean;
      output: string;
      diff?: FileDiff;
      /** The tool's own one-line outcome for the person, if it gave one. */
      display?: string;
      durationMs: number;
    }
  | { type: "usage"; usage: Usage };

export type StopReason = "done" | "aborted" | "max_steps";

export interface AgentRun {
  client: OpenAI;
  model: string;
  /** The conversation, owned by the caller; the loop appends to it. */
  messages: Message[];
  toolContext: ToolContext;
  signal: AbortSignal;
  maxSteps: number;
  /** Milliseconds without a chunk before a reply stream is given up (stream.ts has the default). */
  streamIdleMs?: number;
  onEvent?: (event: AgentEvent) => void;
  /** Called with every message the moment it is appended (for the session transcript). */
  onMessage?: (message: Message) => void;
}

/**
 * Think, act, observe: stream a reply, run its tool calls, append the results, repeat until the
 * model answers without tool calls, the person aborts, or the step fuse trips.
 *
 * Contract: whatever happens, including a thrown API error or a cut stream, `messages` stays
 * valid for the API: every assistant tool call is answered by exactly one tool message.
 */
export async function runAgent(run: AgentRun): Promise<StopReason> {
  const { messages, signal } = run;
  const append = (message: Message) => {
    messages.push(message);
    run.onMessage?.(message);
  };
  // After an abort every call not yet run gets its "interrupted" answer (closeInterruptedTurn appends them).
  const answerOpenCalls = (): StopReason => {
    for (const message of closeInterruptedTurn(messages)) run.onMessage?.(message);
    return "aborted";
  };
  // Events only feed the display: a failure there must never leave a tool call unanswered.
  const emit = (event: AgentEvent) => {
    try {
      run.onEvent?.(event);
    } catch {
      // ignored on purpose; see above
    }
  };
  for (let step = 1; step <= run.maxSteps; step++) {
    if (signal.aborted) return "aborted";
    emit({ type: "request", step });
    let reply;
    try {
      reply = await streamReply({
        client: run.client,
        model: run.model,
        messages,
        tools: toolSpecs(),
        signal,
        idleMs: run.streamIdleMs,
        onText: (delta) => emit({ type: "text", delta }),
      });
    } catch (error) {
      if (error instanceof StreamCutError && error.partial.text) append({ role: "assistant", content: error.partial.text });
      if (signal.aborted) return "aborted";
      throw error;
    }
    if (reply.usage) emit({ type: "usage", usage: reply.usage });
    if (reply.text || reply.toolCalls.length) {
      emit({ type: "assistant_end", text: reply.text });
      append(assistantMessage(reply.text, reply.toolCalls));
    }
    if (reply.finishReason === "aborted") return answerOpenCalls();
    if (reply.toolCalls.length === 0) return "done";

    for (const call of reply.toolCalls) {
      if (signal.aborted) break;
      append(await executeCall(call, run, emit));
    }
    if (signal.aborted) return answerOpenCalls();
  }
  return "max_steps";
}

async function executeCall(call: ToolCall, run: AgentRun, emit: (event: AgentEvent) => void): Promise<Message> {
  const { id, function: fn } = call;
  emit({ type: "tool_start", id, name: fn.name, label: labelFor({ name: fn.name, arguments: fn.arguments }) });
  const started = Date.now();
  const result = await runTool({ name: fn.name, arguments: fn.arguments }, run.toolContext);
  emit({
    type: "tool_end",
    id,
    name: fn.name,
    label: result.label,
    ok: result.ok,
    output: result.output,
    diff: result.diff,
    display: result.display,
    durationMs: Date.now() - started,
  });
  return { role: "tool", tool_call_id: id, content: result.output };
}

function assistantMessage(text: string, toolCalls: ToolCall[]): AssistantMessage {
  if (toolCalls.length === 0) return { role: "assistant", content: text };
  return { role: "assistant", content: text || null, tool_calls: toolCalls };
}
