/**
 * Errors a provider sends inside a 200 event stream, where no HTTP status says anything went wrong.
 *
 * - An `error` object on a chunk (OpenRouter, and `event: error` events that carry one): the
 *   openai package throws an APIError without a status for it; `providerError` recognises it.
 * - llama.cpp writes a line `error: {"code":…,"message":…}` (its context-overflow error among
 *   them), then `data: [DONE]`. `error` is not a field the SSE format defines, so the openai
 *   package rightly skips the line and the reply would just end, empty. `errorLineFilter`
 *   (sse-guard.ts applies it to every event stream) rewrites such a line into the
 *   `data: {"error": …}` form above, so the person reads the server's own message. It is a line
 *   filter, not a second parser: every other byte passes through unchanged, and the openai
 *   package still does all of the SSE decoding.
 */

/** A byte stream transform: `error: X` lines become `data: {"error": X}`; all else is untouched. */
export function errorLineFilter(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  // The unfinished last line of what has arrived; a line is rewritten only once it is whole.
  let pending = "";
  return new TransformStream({
    transform(chunk, controller) {
      const text = pending + decoder.decode(chunk, { stream: true });
      const end = text.lastIndexOf("\n") + 1;
      pending = text.slice(end);
      if (end > 0) controller.enqueue(encoder.encode(rewriteErrorLines(text.slice(0, end))));
    },
    flush(controller) {
      const rest = pending + decoder.decode();
      if (rest) controller.enqueue(encoder.encode(rewriteErrorLines(rest)));
    },
  });
}

/** Rewrites every whole `error:` line in `text`. */
export function rewriteErrorLines(text: string): string {
  if (!/^error:/m.test(text)) return text;
  return text.replace(/^error:[ ]?([^\r\n]*)/gm, (_, payload: string) => `data: ${JSON.stringify(asErrorEvent(payload))}`);
}

function asErrorEvent(payload: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(payload);
    if (value && typeof value === "object" && "error" in value) return value as Record<string, unknown>;
    if (value && typeof value === "object") return { error: value };
    return { error: { message: String(value) } };
  } catch {
    return { error: { message: payload.trim() || "the server reported an error without a message" } };
  }
}

/**
 * The openai package throws an APIError without a status for an `error` object inside a 200
 * stream. Recognised by shape, not `instanceof`, so this file does not load the package at
 * start-up. Returns the provider's own message, or undefined for any other failure.
 */
export function providerError(error: unknown): { message: string; detail: unknown } | undefined {
  const candidate = error as { status?: unknown; error?: unknown } | null;
  if (!candidate || typeof candidate !== "object" || candidate.status !== undefined || !("error" in candidate)) return undefined;
  const detail = candidate.error;
  if (detail === undefined || detail === null) return undefined;
  return { message: describeDetail(detail), detail };
}

/** The provider's own words for an error object it sent. */
export function describeDetail(detail: unknown): string {
  if (typeof detail === "string") return detail;
  const message = (detail as { message?: unknown }).message;
  if (typeof message === "string" && message) return message;
  return JSON.stringify(detail);
}
