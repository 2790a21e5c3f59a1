import type { Ledger, LedgerItem } from "../context/ledger.js";

/**
 * `usage_by_source` of the JSON output: the ledger of the last request (context/ledger.ts) under
 * the names /context shows, in tokens. Every number but `total`, `cached`, `biggest_paths` and
 * `subagents` is one source, and the sources add up to `total`.
 */
export interface JsonUsageBySource {
  total: number;
  /** "provider": scaled to the provider's prompt_tokens; "estimate": it reported none. */
  counted_by: "provider" | "estimate";
  /** Only when the provider reports it. */
  cached?: number;
  system_prompt: number;
  /** By file path. */
  instructions: Record<string, number>;
  skills: number;
  /** "built-in", then "MCP <server>" (or "MCP gateway"). */
  tool_schemas: Record<string, number>;
  your_messages: number;
  answers: number;
  summaries: number;
  /** By tool. */
  tool_outputs: Record<string, number>;
  /** The five biggest tool outputs by path (or command); already counted in tool_outputs. */
  biggest_paths: Array<{ path: string; tokens: number }>;
  /** What each subagent used in requests of its own; not in `total`. */
  subagents?: Record<string, number>;
}

export function jsonUsageBySource(ledger: Ledger): JsonUsageBySource {
  return {
    total: ledger.total,
    counted_by: ledger.countedBy,
    ...(ledger.cached === undefined ? {} : { cached: ledger.cached }),
    system_prompt: ledger.systemPrompt,
    instructions: byLabel(ledger.instructions),
    skills: ledger.skills?.tokens ?? 0,
    tool_schemas: byLabel(ledger.toolSchemas),
    your_messages: ledger.yourMessages,
    answers: ledger.answers,
    summaries: ledger.summaries,
    tool_outputs: byLabel(ledger.toolOutputs),
    biggest_paths: ledger.biggestPaths.map((item) => ({ path: item.label, tokens: item.tokens })),
    ...(ledger.subagents?.length ? { subagents: byLabel(ledger.subagents) } : {}),
  };
}

/** Items under their labels; two with one label (two subagents of one description) add up. */
function byLabel(items: LedgerItem[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item.label] = (out[item.label] ?? 0) + item.tokens;
  return out;
}
