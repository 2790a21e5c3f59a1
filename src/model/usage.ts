/**
 * What a call used, as providers report it: tokens in and out, cached prompt tokens and cost
 * when they say, read from each provider's own field names, and added up over a session.
 */

/** Tokens (and cost) of one call, or of a session when added up. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's cache, when it says. */
  cachedInputTokens?: number;
  /** What the call cost, when the provider says (OpenRouter's usage.cost). */
  cost?: number;
}

/**
 * A provider's `usage` object → our Usage. Every provider reports prompt and completion tokens;
 * some say how much of the prompt came from their cache, each under its own name, and OpenRouter
 * alone says what the call cost. Those are kept only when reported, never guessed.
 */
export function readUsage(raw: unknown): Usage {
  const usage = (raw ?? {}) as Record<string, unknown>;
  const result: Usage = { inputTokens: count(usage.prompt_tokens) ?? 0, outputTokens: count(usage.completion_tokens) ?? 0 };
  const details = (usage.prompt_tokens_details ?? {}) as Record<string, unknown>;
  // OpenAI and most proxies: prompt_tokens_details.cached_tokens; DeepSeek: prompt_cache_hit_tokens.
  const cached = count(details.cached_tokens) ?? count(usage.prompt_cache_hit_tokens);
  if (cached !== undefined) result.cachedInputTokens = cached;
  if (typeof usage.cost === "number" && Number.isFinite(usage.cost) && usage.cost >= 0) result.cost = usage.cost;
  return result;
}

/** Adds `next` to `total` in place; optional fields appear once any call reported them. */
export function addUsage(total: Usage, next: Usage): void {
  total.inputTokens += next.inputTokens;
  total.outputTokens += next.outputTokens;
  if (next.cachedInputTokens !== undefined) total.cachedInputTokens = (total.cachedInputTokens ?? 0) + next.cachedInputTokens;
  if (next.cost !== undefined) total.cost = (total.cost ?? 0) + next.cost;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}
