import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";

/**
 * What a transcript line must look like to be trusted. A transcript is a file on disk that a
 * crash, a disk error or a person's editor can damage: only a header with the fields resuming needs,
 * and only messages the API accepts, may come back into a conversation.
 */

/** A transcript's first line: which session, where, and with which model. */
export interface SessionHeader {
  type: "session";
  id: string;
  workspace: string;
  model: string;
  startedAt: string;
  version: number;
}

type Loose = Record<string, unknown>;

/**
 * What the person typed for a user message, where the message holds more (a hook's context, a job's
 * notice, a `!cmd`'s output): lists (--resume, the -c recap, /rewind) name a turn by it. A symbol
 * key, so the request's JSON never carries it; the transcript stores it beside the message.
 */
const TYPED = Symbol("typed");
type Typed = { [TYPED]?: string };

/** Marks `message` as sent for `typed` (what the person typed); returns the message. */
export function markTyped<T extends object>(message: T, typed: string | undefined): T {
  if (typed !== undefined) (message as Typed)[TYPED] = typed;
  return message;
}

/** What the person typed for `message` if known, else undefined. */
export function typedOf(message: object): string | undefined {
  return (message as Typed)[TYPED];
}
const isObject = (value: unknown): value is Loose => typeof value === "object" && value !== null && !Array.isArray(value);

export function isHeader(record: Loose): record is Loose & SessionHeader {
  return typeof record.id === "string" && /^[\w-]+$/.test(record.id) && typeof record.workspace === "string" && typeof record.startedAt === "string";
}

/**
 * A transcript line is data someone could have edited; only a message the API accepts may join the
 * history, or every later request of the resumed session would fail.
 */
export function isMessage(value: unknown): value is ChatCompletionMessageParam {
  if (!isObject(value)) return false;
  const { content } = value;
  const parts = Array.isArray(content) && content.every((part) => isObject(part) && typeof part.type === "string");
  const text = typeof content === "string" || parts;
  switch (value.role) {
    case "user":
    case "system":
      return text;
    case "tool":
      return text && typeof value.tool_call_id === "string";
    case "assistant":
      return (text || content === null || content === undefined) && (value.tool_calls === undefined || isToolCalls(value.tool_calls));
    default:
      return false;
  }
}

function isToolCalls(calls: unknown): boolean {
  return (
    Array.isArray(calls) &&
    calls.every((call) => isObject(call) && typeof call.id === "string" && isObject(call.function) && typeof call.function.name === "string" && typeof call.function.arguments === "string")
  );
}
