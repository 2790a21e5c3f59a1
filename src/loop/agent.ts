import type OpenAI from "openai";
import { CUT_BY_LENGTH, RepeatGuard, withNotices } from "./call-guards.js";
import { CallSchedule } from "./call-schedule.js";
import type { ContextGuard } from "../context/context.js";
import type { AgentEvent } from "./events.js";
import { closeInterruptedTurn, INTERRUPTED_BEFORE_RUN, withoutStaleReasoning, type AssistantMessage, type Message, type ToolCall } from "../model/history.js";
import type { ImageSupport } from "../model/image-parts.js";
import type { ContentPart } from "../images.js";
import { ProviderStreamError, streamReply, StreamCutError, type Reply } from "../model/stream.js";
import { rejection, storableArguments, type Prepared, type PreparedCall, type ToolContext, type ToolRegistry, type ToolResult } from "../tools/index.js";
export type { AgentEvent } from "./events.js";

/** Something for the model that arrived mid-turn; `display`, when set, is the person's line for it (a background job that ended). */
export interface Notice {
  text: string;
  display?: string;
}

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
  /** The one sink: the loop's progress, and every message the moment it joins `messages` (the transcript listens). */
  onEvent?: (event: AgentEvent) => void;
  /** Notices that arrived mid-turn (a background job ended); appended to the next tool result. */
  notices?: () => Notice[];
  /** Identical consecutive tool calls allowed before one is stopped; 0 turns the guard off. */
  repeatLimit?: number;
  /** Keeps every request within the model's context window (compacting `messages` when needed). */
  context?: ContextGuard;
  /** Whether the model takes images (remembered for the session); unset: images are sent as they are. */
  images?: ImageSupport;
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
  // Events only feed listeners: a failure there must never leave a tool call unanswered.
  const emit = (event: AgentEvent) => {
    try {
      run.onEvent?.(event);
    } catch {
      // ignored on purpose; see above
    }
  };
  const append = (message: Message) => {
    messages.push(message);
    emit({ type: "message", message });
  };
  // After an abort every call not yet run gets its "interrupted" answer (closeInterruptedTurn appends them).
  const answerOpenCalls = (): StopReason => {
    for (const message of closeInterruptedTurn(messages)) emit({ type: "message", message });
    return "aborted";
  };
  // Every tool answer carries the job notices that arrived meanwhile, so the model hears of a
  // crashed server mid-turn instead of at the person's next message.
  const answer = (id: string, content: string) =>
    append({ role: "tool", tool_call_id: id, content: withNotices(content, drainNotices(run, emit)) });
  const repeats = new RepeatGuard(run.repeatLimit);
  // The tools are read at every request: an MCP server may add, change or lose tools mid-turn.
  const modelCall = () => ({ client: run.client, model: run.model, messages, tools: run.tools.specs(), signal });
  const notify = (text: string) => emit({ type: "notice", text });
  const send = () =>
    streamReply({
      ...modelCall(),
      messages: withoutStaleReasoning(messages),
      idleMs: run.streamIdleMs,
      onText: (delta) => emit({ type: "text", delta }),
      onReasoning: (delta) => emit({ type: "reasoning", delta }),
    });
  // A model that refuses images is told in notes instead, from its first refusal on (image-parts.ts).
  const request = () => (run.images ? run.images.send(messages, send, notify) : send());
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
    // Each call is checked once, with the arguments as sent (the registry's prepare); the history
    // keeps only arguments a provider can parse again, so a malformed call costs one observation, not the session.
    const calls = reply.toolCalls.map((call) => run.tools.prepare({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
    if (reply.text || calls.length) {
      emit({ type: "assistant_end", text: reply.text, toolCalls: calls.length, calls: calls.map((call, i) => ({ id: reply.toolCalls[i].id, name: call.name, input: call.input })) });
      append(assistantMessage(reply, calls));
    }
    if (reply.finishReason === "aborted") return answerOpenCalls();
    if (reply.finishReason === "length") {
      if (calls.length === 0) return "cut";
      // Half-written calls must not run; each gets an answer so the history stays valid.
      emit({ type: "notice", text: "The reply was cut by the output token limit; its tool calls were not run." });
      for (const call of reply.toolCalls) answer(call.id, CUT_BY_LENGTH);
      continue;
    }
    if (calls.length === 0) return "done";

    const refusals = calls.map((call) => repeats.check(call));
    // Consecutive read-only calls run together (call-schedule.ts); they are still shown and answered in order.
    // One that must ask (an MCP tool) asks once its own line is shown, so questions come in call order.
    const shown = calls.map(() => {
      let resolve = () => {};
      const promise = new Promise<void>((done) => (resolve = done));
      return { promise, resolve };
    });
    const schedule = new CallSchedule(
      calls,
      (call, i) => !refusals[i] && !("error" in call) && call.readOnly,
      (call, i) =>
        run.tools.run(call as PreparedCall, {
          ...run.toolContext,
          approve: (request, approvalSignal) => run.toolContext.approve({ ...request, shown: shown[i].promise }, approvalSignal),
          progress: (text) => emit({ type: "tool_progress", id: reply.toolCalls[i].id, text }),
          callId: reply.toolCalls[i].id,
        }),
    );
    let ended: ToolResult["endsTurn"];
    const images: ContentPart[] = [];
    for (const [i, call] of calls.entries()) {
      if (signal.aborted) break;
      // The line is shown before the call first waits; a waiting question then follows it.
      shown[i].resolve();
      const result = await executeCall(reply.toolCalls[i].id, call, refusals[i], () => schedule.result(i), emit);
      answer(reply.toolCalls[i].id, result.interrupted ? INTERRUPTED_BEFORE_RUN : result.output);
      if (!result.interrupted) images.push(...(result.images ?? []));
      ended ??= result.endsTurn;
    }
    // An interrupt leaves later calls unshown: a question still waiting for its line gives up now.
    for (const gate of shown) gate.resolve();
    const stop = signal.aborted ? answerOpenCalls() : undefined;
    // Tool messages carry text only: a tool's images follow every answer of the step, as one user message.
    if (images.length) append({ role: "user", content: images });
    if (stop) return stop;
    // A tool ended the turn (exit_plan_mode): its answer, if any, is the final one, as if the model had said it.
    if (ended) {
      if (ended.answer) {
        emit({ type: "assistant_end", text: ended.answer, toolCalls: 0, calls: [] });
        append({ role: "assistant", content: ended.answer });
      }
      return "done";
    }
  }
  return "max_steps";
}

/** Notices for the model; the person sees each one's own line. */
function drainNotices(run: AgentRun, emit: (event: AgentEvent) => void): string[] {
  const notices = run.notices?.() ?? [];
  for (const notice of notices) if (notice.display) emit({ type: "notice", kind: "job", text: notice.display });
  return notices.map((notice) => notice.text);
}

/**
 * Shows one call's start, gets its answer (a guard's refusal, the registry's rejection, or its
 * result, maybe already running: see CallSchedule), shows its end.
 */
async function executeCall(
  id: string,
  call: Prepared,
  refusal: string | undefined,
  started: () => Promise<ToolResult>,
  emit: (event: AgentEvent) => void,
): Promise<ToolResult> {
  emit({ type: "tool_start", id, name: call.name, label: call.label, arguments: call.arguments, input: call.input });
  const result: ToolResult = refusal
    ? { output: refusal, ok: false, label: call.label, display: refusal.split("\n", 1)[0] }
    : "error" in call
      ? rejection(call)
      : await started();
  const { label, ok, output, diff, display, details, exitCode } = result;
  emit({ type: "tool_end", id, name: call.name, label, ok, output, diff, display, details, exitCode });
  return result;
}

/** The reply as it goes back to the provider, with the fields it sent beside the text (provider-fields.ts). */
function assistantMessage({ text, toolCalls, fields }: Reply, prepared: Prepared[]): AssistantMessage {
  if (toolCalls.length === 0) return { ...fields, role: "assistant", content: text };
  const stored = toolCalls.map((call, i): ToolCall => {
    const args = storableArguments(prepared[i]);
    return args === call.function.arguments ? call : { ...call, function: { ...call.function, arguments: args } };
  });
  return { ...fields, role: "assistant", content: text || null, tool_calls: stored };
}
