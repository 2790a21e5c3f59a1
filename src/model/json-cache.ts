/**
 * The JSON text of values that are never edited once made, serialised once per value.
 *
 * Every request used to turn the whole history into JSON again, and more than once: the openai
 * client's JSON.stringify of the body, its UTF-8 encoding, and the token estimate's own pass.
 * Over a 1,000-call session (measured with a sampling heap profile) that was 1.5 GB of strings and
 * buffers made and thrown away, and the garbage collector's lag behind them, not the live history
 * (about 15 MB), set the peak memory. Each message is now serialised once: the request body
 * (request-body.ts), the token estimate and the transcript line reuse this text.
 *
 * Contract: a value passed here must not be changed afterwards. History messages qualify: the
 * loop appends new ones, and compaction, stubbing and rewinding replace or drop messages, never
 * edit one. The tools array qualifies too: the registry builds one per tool list.
 */

interface Serialised {
  json: string;
  /** UTF-8 bytes of `json`, counted on first use. */
  bytes?: number;
}

// Weak: a message dropped by compaction or /clear takes its text with it.
const cache = new WeakMap<object, Serialised>();

function entry(value: object): Serialised {
  let found = cache.get(value);
  if (!found) {
    found = { json: JSON.stringify(value) };
    cache.set(value, found);
  }
  return found;
}

/** `JSON.stringify(value)`, computed once per object. */
export function jsonOf(value: object): string {
  return entry(value).json;
}

/** `Buffer.byteLength(JSON.stringify(value))`, computed once per object. */
export function jsonBytes(value: object): number {
  const found = entry(value);
  found.bytes ??= Buffer.byteLength(found.json);
  return found.bytes;
}
