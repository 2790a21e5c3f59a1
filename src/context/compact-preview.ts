import type { Message } from "../model/history.js";
import { planSummary, personMessages, REQUESTS_SHARE, summaryWords } from "./compaction.js";
import type { TokenEstimator } from "./estimate.js";

/**
 * What /compact would free, by the rules it follows (compaction.ts), without running it: every
 * message before the latest step is summarised, the latest step is kept as it is. The summary's
 * size is its cap (summaryWords) plus the person's earlier messages it quotes (capped at
 * REQUESTS_SHARE of the window), so the estimate errs toward freeing less.
 */

export interface CompactPreview {
  /** Messages that would become the summary, and their tokens now. */
  summarised: number;
  summarisedTokens: number;
  /** The latest step, kept whole. */
  keptTokens: number;
  /** The summary's size: at most its cap, at least the person's quoted words and the facts. */
  summaryAtMost: number;
  /** How many tokens the next request would carry fewer: at least (a summary at its cap), at most (a short one). */
  freesAtLeast: number;
  freesAtMost: number;
}

/** Its heading and the facts the harness adds (files changed, exit codes, running jobs), about. */
const SUMMARY_FRAME_TOKENS = 100;

/** Contract: undefined when /compact would find nothing to summarise (only the latest request and its steps). */
export function previewCompaction(messages: readonly Message[], window: number, estimator: TokenEstimator): CompactPreview | undefined {
  const plan = planSummary(messages, 0, estimator);
  if (!plan) return undefined;
  const summarisedTokens = estimator.estimatePart(plan.head);
  const quoted = Math.min(REQUESTS_SHARE * window, estimator.estimatePart(personMessages(plan.head).map((content) => ({ role: "user" as const, content }))));
  const summaryAtLeast = Math.min(summarisedTokens, Math.round(quoted + SUMMARY_FRAME_TOKENS));
  // A word is about 1.3 tokens of English prose.
  const summaryAtMost = Math.min(summarisedTokens, Math.round(summaryWords(window) * 1.3) + summaryAtLeast);
  return {
    summarised: plan.head.length,
    summarisedTokens,
    keptTokens: estimator.estimatePart(plan.tail),
    summaryAtMost,
    freesAtLeast: summarisedTokens - summaryAtMost,
    freesAtMost: summarisedTokens - summaryAtLeast,
  };
}
