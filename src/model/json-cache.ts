/**
 * The JSON text of history messages, made once per message, and the rule that keeps it true: a
 * message cached here is frozen, deeply, so it cannot change under its text. A change to the
 * history is a new message (compaction, stubbing and rewinding replace or drop messages); an
 * edit in place throws a TypeError at the line that tried it instead of sending a stale body.
 *
 * Why cache: every request sends the whole history again, and the token estimate and the
 * transcript line need its JSON too. Over a 1,000-call session (bench/thousand-calls.ts) making
 * it once per message, not per request, halves the CLI's CPU time (request-body.ts has the figures).
 */

interface Serialised {
  json: string;
  /** UTF-8 bytes of `json`, counted on first use. */
  bytes?: number;
}

// Weak: a message dropped by compaction or /clear takes its text with it.
const cache = new WeakMap<object, Serialised>();

function entry(message: object): Serialised {
  let found = cache.get(message);
  if (!found) {
    found = { json: JSON.stringify(deepFreeze(message)) };
    cache.set(message, found);
  }
  return found;
}

/** `JSON.stringify(message)`, computed once per message, which is frozen from then on. */
export function jsonOf(message: object): string {
  return entry(message).json;
}

/** `Buffer.byteLength(JSON.stringify(message))`, computed once per message, which is frozen from then on. */
export function jsonBytes(message: object): number {
  const found = entry(message);
  found.bytes ??= Buffer.byteLength(found.json);
  return found.bytes;
}

/** Freezes `value` and every object inside it; one already frozen is taken as done (and ends a cycle). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
