/**
 * What providers send beside `content` and `tool_calls`, and what must go back to them.
 *
 * - Reasoning text: DeepSeek and Kimi stream `reasoning_content`, OpenRouter and some vLLM builds
 *   `reasoning`. DeepSeek (thinking mode) and Kimi answer 400 when a tool-calling turn continues
 *   without it on the assistant message, so it is kept under the provider's own name.
 * - Anything else on the message delta or on a tool-call delta (Gemini's `extra_content` with its
 *   thought signature, OpenRouter's `reasoning_details`) is kept verbatim and sent back: a field
 *   we do not know may be one the provider needs.
 *
 * The openai package's chunk types know none of these, but it yields each chunk's parsed JSON as
 * is, so they are read from the raw chunk object.
 */

/** The names providers use for streamed reasoning text, in the order they are looked for. */
export const REASONING_FIELDS = ["reasoning_content", "reasoning"] as const;

/** Fields of a message delta that the assembler handles itself (never copied as extras). */
const MESSAGE_KNOWN = new Set(["role", "content", "tool_calls", "function_call", "refusal", ...REASONING_FIELDS]);
/** Fields of a tool-call delta that the assembler handles itself. */
const CALL_KNOWN = new Set(["index", "id", "type", "function"]);

/** The reasoning piece of one message delta, and the field it came in. */
export function reasoningOf(delta: Record<string, unknown>): { field: string; text: string } | undefined {
  for (const field of REASONING_FIELDS) {
    const value = delta[field];
    if (typeof value === "string" && value) return { field, text: value };
  }
  return undefined;
}

/** Merge a message delta's unknown fields into `into`. */
export function mergeMessageExtras(into: Record<string, unknown>, delta: Record<string, unknown>): void {
  mergeUnknown(into, delta, MESSAGE_KNOWN);
}

/** Merge a tool-call delta's unknown fields into `into`. */
export function mergeCallExtras(into: Record<string, unknown>, delta: Record<string, unknown>): void {
  mergeUnknown(into, delta, CALL_KNOWN);
}

function mergeUnknown(into: Record<string, unknown>, delta: Record<string, unknown>, known: Set<string>): void {
  for (const [key, value] of Object.entries(delta)) {
    if (known.has(key) || value === null || value === undefined) continue;
    into[key] = mergeValue(into[key], value);
  }
}

/**
 * The delta format's own accumulation rule, applied to fields it does not name: strings append,
 * objects merge key by key, arrays extend (elements with the same `index` merge, as tool calls
 * do), anything else is replaced. A field sent once, the usual case, comes back exactly as sent.
 */
export function mergeValue(previous: unknown, next: unknown): unknown {
  if (previous === undefined || previous === null) return clone(next);
  if (typeof previous === "string" && typeof next === "string") return previous + next;
  if (Array.isArray(previous) && Array.isArray(next)) {
    const merged = [...previous];
    for (const item of next) {
      const index = indexOf(item);
      const at = index === undefined ? -1 : merged.findIndex((existing) => indexOf(existing) === index);
      if (at === -1) merged.push(clone(item));
      else merged[at] = mergeValue(merged[at], item);
    }
    return merged;
  }
  if (isPlainObject(previous) && isPlainObject(next)) {
    const merged: Record<string, unknown> = { ...previous };
    for (const [key, value] of Object.entries(next)) merged[key] = value === null ? (merged[key] ?? null) : mergeValue(merged[key], value);
    return merged;
  }
  return clone(next);
}

function indexOf(item: unknown): number | undefined {
  return isPlainObject(item) && typeof item.index === "number" ? item.index : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function clone<T>(value: T): T {
  return typeof value === "object" && value !== null ? structuredClone(value) : value;
}
