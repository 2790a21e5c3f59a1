/**
 * Request bodies as bytes. The openai client hands fetch the request as a JSON string, and
 * undici then scans it for lone surrogates (toUSVString) and encodes it again on every request:
 * two more passes and two more copies of a body that holds the whole history. Over a long
 * session those copies were most of the per-request CPU and a good part of the peak memory.
 * Encoding once here gives the same bytes on the wire (JSON.stringify never emits a lone
 * surrogate: it escapes them), with one pass and one copy.
 */
export function withEncodedBody(fetchImpl: typeof fetch): typeof fetch {
  return (input, init) =>
    fetchImpl(input, typeof init?.body === "string" ? { ...init, body: Buffer.from(init.body, "utf8") } : init);
}
