import { jsonBytes, jsonOf } from "./json-cache.js";

/**
 * A chat request's body as it goes on the wire: the JSON of the params, assembled from each
 * message's JSON made once (json-cache.ts) in a buffer reused from request to request, and handed
 * to fetch as a stream of views over it with its Content-Length. client.ts is its one door into
 * the openai client.
 *
 * Why, measured on a 1,000-call --print session (bench/thousand-calls.ts, CPU time and peak RSS
 * of the CLI, two or three runs each on a loaded 2-core machine):
 * - the client's own JSON.stringify of the whole history at every request: 12-14 s, 109-114 MiB;
 * - built from each message's JSON made once, handed over as bytes: about 7-9 s, 111-113 MiB.
 *   Fetch copies a byte body (the spec says "a copy of the bytes"), and V8 frees those
 *   body-sized copies, which live outside its heap, only at a full collection;
 * - the same bytes as a stream of views, which fetch reads and does not copy: 102-103 MiB;
 * - and written into one reused buffer rather than a new one per request: 94-96 MiB.
 * With its length set, the request is the same on the wire as a plain body (not chunked).
 */

export interface EncodedRequest {
  /** The body, read once; each call of `encode` gives a stream of its own. */
  stream: ReadableStream<Uint8Array>;
  /** Its length in bytes, for Content-Length. */
  length: number;
}

/** A buffer and how many streams over it have not yet ended or been cancelled. */
interface Pool {
  buffer: Buffer<ArrayBuffer>;
  open: number;
}

const MIN_POOL = 64 * 1024;
/** Slices handed to the socket: big enough for few writes, small enough for no large copies. */
const SLICE = 64 * 1024;

/**
 * Writes request bodies into one buffer, reused only when nothing can still read it: no stream
 * over it is open, and the caller says no earlier request is still being sent (`idle`). Otherwise
 * a new buffer takes its place, so a body never changes while it can be read.
 */
export class BodyBuffer {
  private pool: Pool = { buffer: Buffer.alloc(0), open: 0 };

  /** Contract: the stream's bytes are exactly `JSON.stringify(params)` with `messages` moved last. */
  encode<T extends { messages: readonly object[] }>(params: T, idle: boolean): EncodedRequest {
    const { messages, ...rest } = params;
    const json = JSON.stringify(rest);
    const open = `${json.slice(0, -1)}${json.length > 2 ? "," : ""}"messages":[`;
    let size = Buffer.byteLength(open) + Math.max(0, messages.length - 1) + 2;
    for (const message of messages) size += jsonBytes(message);

    const pool = this.take(size, idle);
    const { buffer } = pool;
    let at = buffer.write(open, 0);
    messages.forEach((message, i) => {
      if (i > 0) buffer[at++] = 0x2c; // ,
      at += buffer.write(jsonOf(message), at);
    });
    buffer[at++] = 0x5d; // ]
    buffer[at++] = 0x7d; // }
    return { stream: slices(buffer.subarray(0, at), pool), length: at };
  }

  /** The current buffer when it is free and fits, else a new one (a little larger, to grow rarely). */
  private take(size: number, idle: boolean): Pool {
    const { buffer, open } = this.pool;
    if (!idle || open > 0 || buffer.length < size || buffer.length > 4 * Math.max(size, MIN_POOL)) {
      this.pool = { buffer: Buffer.allocUnsafeSlow(Math.max(MIN_POOL, Math.ceil((size * 1.25) / SLICE) * SLICE)), open: 0 };
    }
    return this.pool;
  }
}

/** The bytes as a stream of views (no copies), pulled one slice at a time as the socket asks. */
function slices(bytes: Uint8Array, pool: Pool): ReadableStream<Uint8Array> {
  pool.open++;
  let at = 0;
  let ended = false;
  const end = () => {
    if (!ended) pool.open--;
    ended = true;
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.byteLength) {
          controller.close();
          return end();
        }
        controller.enqueue(bytes.subarray(at, at + SLICE));
        at += SLICE;
      },
      cancel: end,
    },
    { highWaterMark: 0 },
  );
}
