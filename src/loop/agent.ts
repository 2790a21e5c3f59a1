import type OpenAI from "openai";
import { CUT_BY_LENGTH, RepeatGuard, withNotices } from "./call-guards.js";
import { CallSchedule } from "./call-schedule.js";
import type { ContextGuard } from "../context/context.js";
import { closeInterruptedTurn, INTERRUPTED_BEFORE_RUN, withoutStaleReasoning, type AssistantMessage, type Message, type ToolCall } from "../model/history.js";
import { ProviderStreamError, streamReply, StreamCutError, type Reply, type Usage } from "../model/stream.js";
import type { FileDiff, ToolCallRequest, ToolContext, ToolRegistry, ToolResult } from "../tools/index.js";

export type AgentEvent =
  | { type: "request"; step: number }
  | { type: "text"; delta: string }
  /** Reasoning the model streams before its answer: for a dim indicator, never as answer text. */
  | { type: "reasoning"; delta: string }
  /** Something the person should know that is not the model's text (a cut reply, a job that ended). */
  | { type: "notice"; text: string; /** "job": a background job ended. */ kind?: "job" }
  /** One model call's text; `toolCalls` says how many calls came with it (0: the final answer). */
  | { type: "assistant_end"; text: string; toolCalls?: number }
  | { type: "tool_start"; id: string; name: string; label: string; /** The raw JSON arguments as sent. */ arguments?: string }
  | {
      type: "tool_end";
      id: string;
      name: string;
      label: string;
      ok: boolean;
      output: string;
      diff?: FileDiff;
      /** The outcome in one line for the person. */
      display: string;
      /** A few lines for the person under the outcome (output tail, the rest of an error). */
      details?: string;
      /** A foreground command's exit code, when it ran to its end. */
      exitCode?: number;
    }
  /** A running call's latest output ("" when it starts running), for a live line. */
  | { type: "tool_progress"; id: string; text: string }
  | { type: "usage"; usage: Usage }
  /** The client is sending a request again after a 429, a 5xx or a dropped connection. */
  | { type: "retry"; attempt: number }
  /** Something the person should know that is not the model's text, e.g. "compacted: …". */
  | { type: "notice"; text: string };

/** "cut": the final answer was cut by the output token limit (finish_reason "length"). */
export type StopReason = "done" | "aborted" | "max_steps" | "cut";

export interface AgentRun {
  client: OpenAI;
  model: string;
  /** The conversation, owned by the caller; the loop appends to it. */
  messages: Message[];
  /** The tools the model may call. */
  tools: ToolRegistry;
  toolContext: ToolContext;
  signal: AbortSignal;
  maxSteps: number;
  /** Milliseconds without a chunk before a reply stream is given up (stream.ts has the default). */
  streamIdleMs?: number;
  onEvent?: (event: AgentEvent) => void;
  /** Called with every message the moment it is appended (for the session transcript). */
  onMessage?: (message: Message) => void;
  /** Notices that arrived mid-turn (a background job ended); appended to the next tool result. */
  notices?: () => string[];
  /** Identical consecutive tool calls allowed before one is stopped; 0 turns the guard off. */
  repeatLimit?: number;
  /** Keeps every request within the model's context window (compacting `messages` when needed). */
  context?: ContextGuard;
}

/**
 * Think, act, observe: stream a reply, run its tool calls, append the results, repeat until the
 * model answers without tool calls, the person aborts, or the step fuse trips.
 *
 * Contract: whatever happens, including a thrown API error or a cut stream, `messages` stays
 * valid for the API: every assistant tool call is answered by exactly one tool message. With a
 * `context`, `messages` may be compacted in place between steps (never inside one).
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
  // The tools are read at every request: an MCP server may add, change or lose tools mid-turn.
  const modelCall = () => ({ client: run.client, model: run.model, messages, tools: run.tools.specs(), signal });
  const request = () =>
    streamReply({
      ...modelCall(),
      messages: withoutStaleReasoning(messages),
      idleMs: run.streamIdleMs,
      onText: (delta) => emit({ type: "text", delta }),
      onReasoning: (delta) => emit({ type: "reasoning", delta }),
    });
  const notify = (text: string) => emit({ type: "notice", text });
  for (let step = 1; step <= run.maxSteps; step++) {
    emit({ type: "request", step });
    let reply;
    try {
      // Before every request, also between the tool calls of one turn: check the window, compact if needed.
      reply = await (run.context ? run.context.request({ ...modelCall(), notify }, request) : request());
    } catch (error) {
      // A broken stream keeps its text; its partial tool calls were never appended, so none is open.
      const partial = error instanceof StreamCutError || error instanceof ProviderStreamError ? error.partial.text : "";
      if (partial) append({ role: "assistant", content: partial });
      throw error;
    }
    if (reply.usage) emit({ type: "usage", usage: reply.usage });
    // The calls run with the arguments as sent; the history keeps only arguments a provider can
    // parse again, so a malformed or absurdly deep call costs one observation, not the session.
    const sent = new Map(reply.toolCalls.map((call) => [call.id, call.function.arguments]));
    if (reply.text || reply.toolCalls.length) {
      emit({ type: "assistant_end", text: reply.text, toolCalls: reply.toolCalls.length });
      append(assistantMessage({ ...reply, toolCalls: reply.toolCalls.map((call) => storable(call, run.tools)) }));
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

    const calls = reply.toolCalls;
    const refusals = calls.map((call) => repeats.check(call));
    const requestOf = (call: ToolCall) => ({ id: call.id, name: call.function.name, arguments: sent.get(call.id) ?? call.function.arguments });
    // Consecutive read-only calls run together (call-schedule.ts); they are still shown and answered in order.
    // One that must ask (an MCP tool) asks once its own line is shown, so questions come in call order.
    const shown = calls.map(() => {
      let resolve = () => {};
      const promise = new Promise<void>((done) => (resolve = done));
      return { promise, resolve };
    });
    const schedule = new CallSchedule(
      calls,
      (call, i) => !refusals[i] && (run.tools.readOnly?.(requestOf(call)) ?? false),
      (call, i) =>
        run.tools.run(requestOf(call), {
          ...run.toolContext,
          approve: (request, approvalSignal) => run.toolContext.approve({ ...request, shown: shown[i].promise }, approvalSignal),
          progress: (text) => emit({ type: "tool_progress", id: call.id, text }),
        }),
    );
    for (const [i, call] of calls.entries()) {
      if (signal.aborted) break;
      const refusal = refusals[i];
      // executeCall shows the line before it first waits; a waiting question then follows it.
      shown[i].resolve();
      const result = refusal ? refuseCall(call, run, refusal, emit) : await executeCall(call, requestOf(call), () => schedule.result(i), run, emit);
      answer(call.id, result);
    }
    // An interrupt leaves later calls unshown: a question still waiting for its line gives up now.
    for (const gate of shown) gate.resolve();
    if (signal.aborted) return answerOpenCalls();
  }
  return "max_steps";
}

/** Notices for the model; the person gets the first line of each. */
function drainNotices(run: AgentRun, emit: (event: AgentEvent) => void): string[] {
  const notices = run.notices?.() ?? [];
  for (const notice of notices) emit({ type: "notice", kind: "job", text: `background ${notice.split("\n", 1)[0].replace(/; last output:$/, "")}` });
  return notices;
}

function refuseCall(call: ToolCall, run: AgentRun, observation: string, emit: (event: AgentEvent) => void): string {
  const { id, function: fn } = call;
  const label = run.tools.label({ name: fn.name, arguments: fn.arguments });
  emit({ type: "tool_start", id, name: fn.name, label, arguments: fn.arguments });
  emit({ type: "tool_end", id, name: fn.name, label, ok: false, output: observation, display: observation.split("\n", 1)[0] });
  return observation;
}

/** Shows one call's start, waits for its result (maybe already running, see CallSchedule), shows its end. */
async function executeCall(
  call: ToolCall,
  request: ToolCallRequest,
  started: () => Promise<ToolResult>,
  run: AgentRun,
  emit: (event: AgentEvent) => void,
): Promise<string> {
  const { id, function: fn } = call;
  emit({ type: "tool_start", id, name: fn.name, label: run.tools.label(request), arguments: request.arguments });
  const result = await started();
  const { label, ok, output, diff, display, details, exitCode } = result;
  emit({ type: "tool_end", id, name: fn.name, label, ok, output, diff, display, details, exitCode });
  return result.interrupted ? INTERRUPTED_BEFORE_RUN : output;
}

function storable(call: ToolCall, tools: ToolRegistry): ToolCall {
  const args = tools.storableArguments(call.function.arguments);
  return args === call.function.arguments ? call : { ...call, function: { ...call.function, arguments: args } };
}

/** The reply as it goes back to the provider, with the fields it sent beside the text (provider-fields.ts). */
function assistantMessage({ text, toolCalls, fields }: Reply): AssistantMessage {
  if (toolCalls.length === 0) return { ...fields, role: "assistant", content: text };
  return { ...fields, role: "assistant", content: text || null, tool_calls: toolCalls };
}
