import type { ChatCompletionMessageParam, ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import { REASONING_FIELDS } from "./provider-fields.js";
import { isImageOnly } from "./image-parts.js";

/**
 * What the API accepts as a history: the message types, and the invariant that every assistant tool
 * call is answered by exactly one tool message, whatever was interrupted, cut or resumed.
 */

export type Message = ChatCompletionMessageParam;
export type AssistantMessage = Extract<Message, { role: "assistant" }>;
export type ToolCall = Extract<ChatCompletionMessageToolCall, { type: "function" }>;

export const INTERRUPTED_BEFORE_RUN = "Interrupted by the user before this ran.";
export const INTERRUPTED_BY_EXIT = "Interrupted: mini-claude stopped before this tool call ran.";
/** Put before the person's next message after they interrupted a turn. */
export const INTERRUPTED_REPLY_NOTE =
  "[The user interrupted your previous reply before it finished: they may not have read all of it, and anything after the interruption did not happen.]";

/**
 * Reasoning from finished turns is dropped from what is sent, as DeepSeek documents: it costs
 * tokens and the provider ignores it. Only the turn in progress (after the last user message)
 * keeps it, which is what DeepSeek's thinking mode and Kimi require during tool calls.
 *
 * Contract: returns `messages` itself when there is nothing to drop; never mutates it (the
 * history and the transcript keep every field).
 */
export function withoutStaleReasoning(messages: Message[]): Message[] {
  let lastUser = -1;
  // A tool's images (a user message mid-turn) do not end the turn.
  for (let i = messages.length - 1; i >= 0 && lastUser === -1; i--) if (messages[i].role === "user" && !isImageOnly(messages[i])) lastUser = i;
  const stale = (m: Message, i: number) => i < lastUser && m.role === "assistant" && REASONING_FIELDS.some((field) => field in m);
  if (!messages.some(stale)) return messages;
  return messages.map((message, i) => (stale(message, i) ? withoutReasoning(message) : message));
}

/** One copy per message, so that its JSON is made once (json-cache.ts), not at every request. */
const withoutReasoningCopies = new WeakMap<Message, Message>();

function withoutReasoning(message: Message): Message {
  let copy = withoutReasoningCopies.get(message);
  if (!copy) {
    const fields = { ...message } as Record<string, unknown>;
    for (const field of REASONING_FIELDS) delete fields[field];
    copy = fields as unknown as Message;
    withoutReasoningCopies.set(message, copy);
  }
  return copy;
}

/**
 * The API rejects a history in which an assistant's tool call has no answer, so after any
 * interruption every unanswered call gets one.
 *
 * Contract: after this, every tool_call id of the last assistant message has exactly one `tool`
 * message. Appends to `messages` in place and returns the messages it added.
 */
export function closeInterruptedTurn(messages: Message[], observation = INTERRUPTED_BEFORE_RUN): Message[] {
  const index = lastAssistantWithCalls(messages);
  if (index === -1) return [];
  const answered = new Set(
    messages.slice(index + 1).flatMap((m) => (m.role === "tool" ? [m.tool_call_id] : [])),
  );
  const added: Message[] = [];
  for (const call of (messages[index] as AssistantMessage).tool_calls ?? []) {
    if (answered.has(call.id)) continue;
    const message: Message = { role: "tool", tool_call_id: call.id, content: observation };
    messages.push(message);
    added.push(message);
  }
  return added;
}

/**
 * Make a stored history safe to send again: drop tool messages that answer no call, and answer
 * any call left open (a crash or kill -9 mid-turn).
 */
export function repairHistory(messages: readonly Message[], observation = INTERRUPTED_BY_EXIT): Message[] {
  const repaired: Message[] = [];
  let open = new Set<string>();
  for (const message of messages) {
    if (message.role === "tool") {
      if (!open.has(message.tool_call_id)) continue;
      open.delete(message.tool_call_id);
      repaired.push(message);
      continue;
    }
    closeOpen(repaired, open, observation);
    open = new Set(message.role === "assistant" ? (message.tool_calls ?? []).map((c) => c.id) : []);
    repaired.push(message);
  }
  closeOpen(repaired, open, observation);
  return repaired;
}

function closeOpen(messages: Message[], open: Set<string>, observation: string): void {
  for (const id of open) messages.push({ role: "tool", tool_call_id: id, content: observation });
  open.clear();
}

/** Throws when any tool_call id is unanswered, answered twice, or answered out of place. Used by tests. */
export function assertValidHistory(messages: Message[]): void {
  let open = new Set<string>();
  messages.forEach((message, i) => {
    if (message.role === "tool") {
      if (!open.has(message.tool_call_id)) throw new Error(`message ${i}: tool result for unknown or already answered call ${message.tool_call_id}`);
      open.delete(message.tool_call_id);
      return;
    }
    if (open.size) throw new Error(`message ${i}: calls ${[...open].join(", ")} were never answered`);
    open = new Set(message.role === "assistant" ? (message.tool_calls ?? []).map((c) => c.id) : []);
  });
  if (open.size) throw new Error(`calls ${[...open].join(", ")} were never answered`);
}

function lastAssistantWithCalls(messages: Message[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.role === "assistant") return m.tool_calls?.length ? i : -1;
    if (m.role === "user" || m.role === "system") return -1;
  }
  return -1;
}
