import type { Message } from "../model/history.js";
import { imagePartsOf, imageTokens } from "../model/image-parts.js";
import { jsonBytes } from "../model/json-cache.js";

/**
 * Counting tokens without a tokenizer. Every server tokenizes differently (and none of their
 * tokenizers is worth loading at start-up), so a request is measured in UTF-8 bytes of its JSON
 * and turned into tokens with a bytes-per-token ratio, and the server's own count corrects both:
 * after each reply, the next request is "what the server counted last time + an estimate of what
 * was added since".
 */

/**
 * Before the server has reported any usage: 3 bytes per token overestimates English prose
 * (about 4) and matches code and JSON (3 to 3.5), so the first requests err on the safe side.
 */
export const INITIAL_BYTES_PER_TOKEN = 3;

/**
 * UTF-8 bytes of the message as sent, its JSON made once (json-cache.ts: messages are replaced,
 * never edited). Non-ASCII text counts more bytes, as it costs more tokens.
 */
export function messageBytes(message: Message): number {
  // Chat templates add a few tokens per message for the role markers.
  return jsonBytes(message) + 12 - imageCorrection(message);
}

/** Images are counted by their pixels, not their base64 bytes (a 1 MB screenshot costs about 1,600 tokens, not 450,000). */
const imageCorrections = new WeakMap<Message, number>();

function imageCorrection(message: Message): number {
  if (!Array.isArray(message.content)) return 0;
  let correction = imageCorrections.get(message);
  if (correction === undefined) {
    correction = 0;
    for (const { url } of imagePartsOf(message)) correction += url.length - imageTokens(url) * INITIAL_BYTES_PER_TOKEN;
    imageCorrections.set(message, correction);
  }
  return correction;
}

export function totalBytes(messages: readonly Message[]): number {
  let sum = 0;
  for (const message of messages) sum += messageBytes(message);
  return sum;
}

/**
 * Estimates the prompt tokens of the next request.
 *
 * Contract: `estimate` never needs the network. After `calibrate(messages, n)`, an estimate for
 * the same messages plus some appended ones is n plus the appended part converted at the learned
 * ratio; when the earlier messages changed (compaction), the whole request is converted.
 */
export class TokenEstimator {
  private bytesPerToken = INITIAL_BYTES_PER_TOKEN;
  /** The messages of the last request the server counted, and its count. */
  private anchor?: { messages: Message[]; tokens: number };

  constructor(private readonly fixedBytes: () => number = () => 0) {}

  /** The ratio in use, for tests and /usage. */
  get ratio(): number {
    return this.bytesPerToken;
  }

  estimate(messages: readonly Message[]): number {
    const anchored = this.anchoredPrefix(messages);
    if (anchored) return anchored.tokens + Math.ceil(totalBytes(messages.slice(anchored.messages.length)) / this.bytesPerToken);
    return Math.ceil((totalBytes(messages) + this.fixedBytes()) / this.bytesPerToken);
  }

  /** Estimate for a few messages alone (no system prompt or tool schemas), e.g. a tail to keep. */
  estimatePart(messages: readonly Message[]): number {
    return Math.ceil(totalBytes(messages) / this.bytesPerToken);
  }

  /**
   * The server counted `promptTokens` for a request made of `messages` (plus the tool schemas):
   * remember it as the anchor and learn the ratio from it, within sane bounds.
   */
  calibrate(messages: readonly Message[], promptTokens: number): void {
    if (!(promptTokens > 0)) return;
    const bytes = totalBytes(messages) + this.fixedBytes();
    this.bytesPerToken = Math.min(6, Math.max(1.5, bytes / promptTokens));
    this.anchor = { messages: [...messages], tokens: promptTokens };
  }

  private anchoredPrefix(messages: readonly Message[]) {
    const anchor = this.anchor;
    if (!anchor || anchor.messages.length > messages.length) return undefined;
    for (let i = 0; i < anchor.messages.length; i++) if (anchor.messages[i] !== messages[i]) return undefined;
    return anchor;
  }
}
