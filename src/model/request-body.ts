import { jsonBytes, jsonOf } from "./json-cache.js";

/**
 * A chat request's body as it goes on the wire: the JSON of the params, assembled from each
 * message's JSON made once (json-cache.ts), handed to fetch as a stream of views over one buffer
 * with its Content-Length. client.ts is its one door into the openai client (see its Client).
 *
 * Why, measured on a 1,000-call --print session (bench/thousand-calls.ts, CPU and peak RSS of
 * the CLI, three runs each on a loaded 2-core machine):
 * - the client's own JSON.stringify of the whole history at every request: 12-14 s, 109-114 MiB;
 * - built from each message's JSON made once, handed over as bytes: about 7 s, 111-113 MiB. Fetch
 *   copies a byte body (the spec says "a copy of the bytes"), and V8 frees those body-sized
 *   copies, which live outside its heap, only at a full collection;
 * - the same bytes as a stream of views, which fetch reads and does not copy: about 7 s, 102-103 MiB.
 * With the length set, the request is the same on the wire as a plain body (no chunked encoding).
 */

/** Slices handed to the socket: big enough for few writes, small enough for no large copies. */
const SLICE = 64 * 1024;

export interface EncodedRequest {
  /** The body; each call of `encodeRequest` gives a stream of its own, read once. */
  stream: ReadableStream<Uint8Array>;
  /** Its length in bytes, for Content-Length. */
  length: number;
}

/**
 * Contract: the stream's bytes are exactly `JSON.stringify(params)` with `messages` moved last.
 * Each message's JSON is cached and the message frozen (json-cache.ts); the other fields are
 * serialised at every call.
 */
export function encodeRequest<T extends { messages: readonly object[] }>(params: T): EncodedRequest {
  const { messages, ...rest } = params;
  const json = JSON.stringify(rest);
  const open = `${json.slice(0, -1)}${json.length > 2 ? "," : ""}"messages":[`;
  let size = Buffer.byteLength(open) + Math.max(0, messages.length - 1) + 2;
  for (const message of messages) size += jsonBytes(message);

  const buffer = Buffer.allocUnsafeSlow(size);
  let at = buffer.write(open, 0);
  messages.forEach((message, i) => {
    if (i > 0) buffer[at++] = 0x2c; // ,
    at += buffer.write(jsonOf(message), at);
  });
  buffer[at++] = 0x5d; // ]
  buffer[at++] = 0x7d; // }
  return { stream: slices(buffer.subarray(0, at)), length: at };
}

/** The bytes as a stream of views (no copies), pulled one slice at a time as the socket asks. */
function slices(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.byteLength) return controller.close();
        controller.enqueue(bytes.subarray(at, at + SLICE));
        at += SLICE;
      },
    },
    { highWaterMark: 0 },
  );
}
