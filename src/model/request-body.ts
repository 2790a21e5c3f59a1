import { jsonBytes, jsonOf } from "./json-cache.js";

/**
 * Request bodies as bytes, assembled from each message's JSON (serialised once, json-cache.ts)
 * into one buffer that is reused from request to request, and handed to fetch as a stream of
 * slices that carries its Content-Length.
 *
 * Why (a 1,000-call session, bench/thousand-calls.ts, sampled with a heap profile): the openai
 * client turns the whole body into one string per request, and fetch copies whatever bytes it is
 * given (the spec says "a copy of the bytes"). Those body-sized copies live outside the JS heap,
 * and V8 frees them only at its next full collection, after about 64 MB of them: they were most
 * of the session's peak. A stream is read, not copied. With its length set, the request is the
 * same on the wire as a plain body (no chunked encoding), and the client can still retry it: it
 * hands fetch the same bytes again and gets a new stream over them.
 */

/** A reused buffer and how many holders still need its bytes (an encoder's caller, open streams). */
interface Pool {
  buffer: Buffer<ArrayBuffer>;
  users: number;
}

const MIN_POOL = 64 * 1024;
/** Slices handed to the socket: big enough for few writes, small enough for no large copies. */
const SLICE = 64 * 1024;

let pool: Pool = { buffer: Buffer.alloc(0), users: 0 };
/** Bodies made here, so the fetch wrapper streams ours and leaves any other body alone. */
const owners = new WeakMap<Uint8Array, Pool>();

export interface EncodedBody {
  /** The JSON of the request as UTF-8. Valid until `release()`; never edit it. */
  bytes: Uint8Array<ArrayBuffer>;
  /** The caller is done with the request (its promise settled): the buffer may serve the next one. */
  release(): void;
}

/**
 * Contract: `bytes` parse to the same value as `JSON.stringify(params)` (the keys other than
 * `messages` come first). Every message, and any array such as `tools`, must be one that is never
 * edited (json-cache.ts). Bytes handed out earlier stay intact until they are released and every
 * stream over them has ended; meanwhile a new request gets a buffer of its own.
 */
export function encodeRequest<T extends { messages: readonly object[] }>(params: T): EncodedBody {
  const { messages, ...rest } = params;
  let fields = "";
  for (const [key, value] of Object.entries(rest)) {
    // As JSON.stringify does: a field whose value has no JSON (undefined, a function) is left out.
    const json: string | undefined = Array.isArray(value) ? jsonOf(value) : JSON.stringify(value);
    if (json !== undefined) fields += `${JSON.stringify(key)}:${json},`;
  }
  const open = `{${fields}"messages":[`;
  let size = Buffer.byteLength(open) + Math.max(0, messages.length - 1) + 2;
  for (const message of messages) size += jsonBytes(message);

  const taken = take(size);
  const { buffer } = taken;
  let at = buffer.write(open, 0);
  messages.forEach((message, i) => {
    if (i > 0) buffer[at++] = 0x2c; // ,
    at += buffer.write(jsonOf(message), at);
  });
  buffer[at++] = 0x5d; // ]
  buffer[at++] = 0x7d; // }
  const bytes = buffer.subarray(0, at);
  owners.set(bytes, taken);
  taken.users++;
  return { bytes, release: once(() => taken.users--) };
}

/** The current buffer when it is free and fits, else a new one (a little larger, to grow rarely). */
function take(size: number): Pool {
  const length = pool.buffer.length;
  if (pool.users > 0 || length < size || length > 4 * Math.max(size, MIN_POOL)) {
    pool = { buffer: Buffer.allocUnsafeSlow(Math.max(MIN_POOL, Math.ceil((size * 1.25) / SLICE) * SLICE)), users: 0 };
  }
  return pool;
}

/**
 * A fetch for the openai client: a body made by `encodeRequest` goes out as a stream of slices
 * with its Content-Length; any other request is passed on untouched.
 */
export function withStreamedBody(fetchImpl: typeof fetch): typeof fetch {
  return (input, init) => {
    const body = init?.body;
    const owner = body instanceof Uint8Array ? owners.get(body) : undefined;
    if (!owner || !(body instanceof Uint8Array)) return fetchImpl(input, init);
    const headers = new Headers(init?.headers);
    headers.set("content-length", String(body.byteLength));
    const { stream, done } = slices(body, owner);
    const streamed = { ...init, headers, body: stream, duplex: "half" } as RequestInit;
    return fetchImpl(input, streamed).catch((error: unknown) => {
      // A failed fetch reads no more of the body.
      done();
      throw error;
    });
  };
}

/** The bytes as a stream of views (no copies); the buffer is held until it ends or is cancelled. */
function slices(bytes: Uint8Array, owner: Pool): { stream: ReadableStream<Uint8Array>; done: () => void } {
  owner.users++;
  const done = once(() => owner.users--);
  let at = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= bytes.byteLength) {
          controller.close();
          done();
          return;
        }
        controller.enqueue(bytes.subarray(at, at + SLICE));
        at += SLICE;
      },
      cancel: done,
    },
    { highWaterMark: 0 },
  );
  return { stream, done };
}

function once(action: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    action();
  };
}
