import { errorLineFilter } from "./stream-errors.js";

/**
 * The one filter between the network and the openai package's SSE reader: every event-stream
 * response passes a size guard, then the `error:` line rewrite (stream-errors.ts says why).
 *
 * The size guard: that reader copies and rescans its whole buffer for every network chunk until
 * it sees a blank line, so one endless event costs quadratic CPU and unbounded memory (measured:
 * 2 MB 0.4 s, 8 MB 4.7 s, 16 MB 18.7 s of CPU). A real event is one delta, a few KB; the guard
 * ends the body, with a clear error, once an event passes MAX_SSE_EVENT_BYTES.
 */

export const MAX_SSE_EVENT_BYTES = 4 * 1024 * 1024;

/** The endpoint sent one SSE event bigger than any real reply delta. */
export class OversizedEventError extends Error {
  constructor(readonly limit: number) {
    super(`The endpoint sent one stream event larger than ${limit / 1024 / 1024} MB without ending it.`);
  }
}

/**
 * The fetch the openai client is given: an event-stream response's body goes through the size
 * guard and the `error:` line rewrite; any other response is returned untouched.
 */
export function filteredFetch(fetchImpl: typeof fetch = globalThis.fetch, limit = MAX_SSE_EVENT_BYTES): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (!response.body || !response.headers.get("content-type")?.includes("text/event-stream")) return response;
    const body = response.body.pipeThrough(eventSizeGuard(limit)).pipeThrough(errorLineFilter());
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

const LF = 0x0a;
const CR = 0x0d;

/** Contract: passes bytes through unchanged; errors the stream once an event exceeds `limit` bytes. */
export function eventSizeGuard(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let since = 0;
  let previous = 0;
  return new TransformStream({
    transform(chunk, controller) {
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        // "\n\n", "\r\r" and the middle of "\r\n\r\n" end an event; a lone "\r\n" does not.
        if ((byte === LF || byte === CR) && (previous === byte || (previous === LF && byte === CR))) since = 0;
        else since++;
        previous = byte;
      }
      if (since > limit) {
        controller.error(new OversizedEventError(limit));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
