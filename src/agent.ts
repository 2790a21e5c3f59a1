import type OpenAI from "openai";
import { CUT_BY_LENGTH, RepeatGuard, withNotices } from "./call-guards.js";
import { closeInterruptedTurn, withoutStaleReasoning, type AssistantMessage, type Message, type ToolCall } from "./history.js";
import { ProviderStreamError, streamReply, StreamCutError, type Reply, type Usage } from "./stream.js";
import { labelFor, runTool, toolSpecs, type FileDiff, type ToolContext } from "./tools/index.js";

export type AgentEvent =
  | { type: "request"; step: number }
  | { type: "text"; delta: string }
  /** Reasoning the model streams before its answer: for a dim indicator, never as answer text. */
  | { type: "reasoning"; delta: string }
  /** Something the person should know that is not the model's text (a cut reply, a job that ended). */
  | { type: "notice"; text: string }
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

/** "cut": the final answer was cut by the output token limit (finish_reason "length"). */
export type StopReason = "done" | "aborted" | "max_steps" | "cut";

export interface AgentRun {
  client: OpenAI;
  model: string;
  /** The conversation, owned by the caller; the loop appends to it. */
  messages: Message[];
  toolContext: ToolContext;
  signal: AbortSignal;
  maxSteps: number;
  onEvent?: (event: AgentEvent) => void;
  /** Called with every message the moment it is appended (for the session transcript). */
  onMessage?: (message: Message) => void;
  /** Notices that arrived mid-turn (a background job ended); appended to the next tool result. */
  notices?: () => string[];
  /** Identical consecutive tool calls allowed before one is stopped; 0 turns the guard off. */
  repeatLimit?: number;
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
  // Every tool answer carries the job notices that arrived meanwhile, so the model hears of a
  // crashed server mid-turn instead of at the person's next message.
  const answer = (id: string, content: string) =>
    append({ role: "tool", tool_call_id: id, content: withNotices(content, drainNotices(run, emit)) });
  const repeats = new RepeatGuard(run.repeatLimit);
  for (let step = 1; step <= run.maxSteps; step++) {
    if (signal.aborted) return "aborted";
    emit({ type: "request", step });
    let reply;
    try {
      reply = await streamReply({
        client: run.client,
        model: run.model,
        messages: withoutStaleReasoning(messages),
        tools: toolSpecs(),
        signal,
        onText: (delta) => emit({ type: "text", delta }),
        onReasoning: (delta) => emit({ type: "reasoning", delta }),
      });
    } catch (error) {
      const partial = error instanceof StreamCutError || error instanceof ProviderStreamError ? error.partial.text : "";
      if (partial) append({ role: "assistant", content: partial });
      if (signal.aborted) return "aborted";
      throw error;
    }
    if (reply.usage) emit({ type: "usage", usage: reply.usage });
    if (reply.text || reply.toolCalls.length) {
      emit({ type: "assistant_end", text: reply.text });
      append(assistantMessage(reply));
    }
    if (reply.finishReason === "aborted") return answerOpenCalls();
    if (reply.finishReason === "length") {
      if (reply.toolCalls.length === 0) return "cut";
      // Half-written calls must not run; each gets an answer so the history stays valid.
      emit({ type: "notice", text: "The reply was cut by the output token limit; its tool calls were not run." });
      for (const call of reply.toolCalls) answer(call.id, CUT_BY_LENGTH);
      continue;
    }
    if (reply.toolCalls.length === 0) return "done";

    for (const call of reply.toolCalls) {
      if (signal.aborted) break;
      const refusal = repeats.check(call);
      const result = refusal ? refuseCall(call, refusal, emit) : await executeCall(call, run, emit);
      answer(call.id, result);
    }
    if (signal.aborted) return answerOpenCalls();
  }
  return "max_steps";
}

/** Notices for the model; the person gets the first line of each. */
function drainNotices(run: AgentRun, emit: (event: AgentEvent) => void): string[] {
  const notices = run.notices?.() ?? [];
  for (const notice of notices) emit({ type: "notice", text: `background ${notice.split("\n", 1)[0].replace(/; last output:$/, "")}` });
  return notices;
}

function refuseCall(call: ToolCall, observation: string, emit: (event: AgentEvent) => void): string {
  const { id, function: fn } = call;
  const label = labelFor({ name: fn.name, arguments: fn.arguments });
  emit({ type: "tool_start", id, name: fn.name, label });
  emit({ type: "tool_end", id, name: fn.name, label, ok: false, output: observation, durationMs: 0 });
  return observation;
}

async function executeCall(call: ToolCall, run: AgentRun, emit: (event: AgentEvent) => void): Promise<string> {
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
  return result.output;
}

/** The reply as it goes back to the provider, with the fields it sent beside the text (provider-fields.ts). */
function assistantMessage({ text, toolCalls, fields }: Reply): AssistantMessage {
  if (toolCalls.length === 0) return { ...fields, role: "assistant", content: text };
  return { ...fields, role: "assistant", content: text || null, tool_calls: toolCalls };
}
