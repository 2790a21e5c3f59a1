import { withoutStaleReasoning, type Message } from "../model/history.js";
import { jsonBytes } from "../model/json-cache.js";
import type { Usage } from "../model/usage.js";
import { oneLine, textOf } from "../text.js";
import { callsById, isSummary } from "./compaction.js";
import { messageBytes } from "./estimate.js";

/**
 * Where the tokens of one request went: the request as it was sent (its messages and tool
 * schemas), measured in bytes source by source and turned into tokens the way the estimator
 * counts them, then scaled so the sources add up to the provider's own count when it gave one.
 * Nothing here runs on the request path: context.ts only keeps the request (`SentRequest`), and
 * this runs when /context or a JSON result asks.
 */

/** One request as it went out; `usage` is the provider's report, once its reply came. */
export interface SentRequest {
  /** The history as sent (a copy of the list; the messages themselves are shared, never edited). */
  messages: readonly Message[];
  tools: readonly unknown[];
  usage?: Usage;
}

/** What the system prompt is made of, so its parts can be told apart in the message. */
export interface PromptParts {
  /** The instructions block as it is in the prompt, and the files it was made of, in order. */
  instructions?: { text: string; sections: ReadonlyArray<{ file: string; text: string }> };
  /** The skills listing as it is in the prompt, and how many skills it lists. */
  skills?: { text: string; count: number };
  /** Each MCP server's instructions as they are in the prompt (counted with the instructions files). */
  mcpInstructions?: ReadonlyArray<{ server: string; text: string }>;
  /** The group a tool schema is counted under ("built-in", "MCP github"), from its name and description. */
  toolGroup: (name: string, description: string) => string;
}

export interface LedgerItem {
  label: string;
  tokens: number;
}

export interface Ledger {
  /** The request's tokens: the provider's count when `countedBy` is "provider", else the estimate. */
  total: number;
  countedBy: "provider" | "estimate";
  /** Prompt tokens served from the provider's cache, and the request's cost, only when the provider said. */
  cached?: number;
  cost?: number;
  /** mini-claude's own part of the system prompt (and a replacement given with --system-prompt). */
  systemPrompt: number;
  /** Each instructions file, by path. */
  instructions: LedgerItem[];
  skills?: LedgerItem;
  /** "built-in", then each MCP server. */
  toolSchemas: LedgerItem[];
  yourMessages: number;
  answers: number;
  summaries: number;
  /** By tool, biggest first. */
  toolOutputs: LedgerItem[];
  /** The five biggest tool outputs by file path (or command), a read twice counted once with both: not part of the sum. */
  biggestPaths: LedgerItem[];
  /** The biggest single thing in the request: one message, one file's instructions, one tool's schema. */
  biggestItem: LedgerItem;
  /**
   * What subagents used in requests of their own (in and out), one item each: not part of `total`,
   * since only their answers (the `agent` tool's outputs) are in this request.
   */
  subagents?: LedgerItem[];
}

const BIGGEST_PATHS = 5;

/**
 * Contract: every token of the request is in exactly one of systemPrompt, instructions, skills,
 * toolSchemas, yourMessages, answers, summaries and toolOutputs, and they add up to `total`
 * exactly. `bytesPerToken` converts when the provider gave no count.
 */
export function measureRequest(sent: SentRequest, parts: PromptParts, bytesPerToken: number): Ledger {
  const messages = withoutStaleReasoning(sent.messages as Message[]);
  const leaves: Leaf[] = [];
  const leaf = (group: string, label: string, bytes: number, item?: string) => leaves.push({ group, label, bytes, item: item ?? label });
  /** Each target's leaves (a file read twice has two). */
  const paths = new Map<string, number[]>();

  for (const tool of sent.tools) {
    const fn = (tool as { function?: { name?: string; description?: string } }).function ?? {};
    const bytes = jsonBytes(tool as object) + 1;
    const group = parts.toolGroup(fn.name ?? "", fn.description ?? "");
    leaf("schemas", group, bytes, `the ${fn.name} tool's schema`);
  }

  const calls = callsById(messages);
  messages.forEach((message, i) => {
    const bytes = messageBytes(message);
    if (i === 0 && message.role === "system") return systemLeaves(textOf(message.content), bytes, parts, leaf);
    if (message.role === "tool") {
      const call = calls.get(message.tool_call_id);
      const name = call?.name ?? "unknown tool";
      const target = call ? targetOf(call.name, call.args) : undefined;
      if (target) paths.set(target, [...(paths.get(target) ?? []), leaves.length]);
      return leaf("outputs", name, bytes, target ? `${name} ${target}` : `a ${name} output`);
    }
    if (message.role === "assistant") return leaf("answers", "answers", bytes, answerLabel(message));
    if (isSummary(message)) return leaf("summaries", "summaries", bytes, "the summary of the earlier conversation");
    leaf("you", "your messages", bytes, `your message "${oneLine(textOf(message.content), 40)}"`);
  });

  const bytes = leaves.reduce((sum, l) => sum + l.bytes, 0);
  const reported = sent.usage?.inputTokens;
  const countedBy = reported ? "provider" : "estimate";
  const total = reported || Math.ceil(bytes / bytesPerToken);
  const tokens = scaled(leaves, bytes, total);
  const sum = (group: string) => leaves.reduce((n, l, i) => (l.group === group ? n + tokens[i] : n), 0);
  const byLabel = (group: string) => {
    const map = new Map<string, number>();
    leaves.forEach((l, i) => l.group === group && map.set(l.label, (map.get(l.label) ?? 0) + tokens[i]));
    return [...map].map(([label, n]) => ({ label, tokens: n }));
  };
  const biggest = leaves.reduce((best, l, i) => (tokens[i] > tokens[best] ? i : best), 0);
  return {
    total,
    countedBy,
    ...(sent.usage?.cachedInputTokens === undefined ? {} : { cached: sent.usage.cachedInputTokens }),
    ...(sent.usage?.cost === undefined ? {} : { cost: sent.usage.cost }),
    systemPrompt: sum("system"),
    instructions: byLabel("instructions"),
    ...(parts.skills && leaves.some((l) => l.group === "skills") ? { skills: { label: `skills listing (${parts.skills.count} skill${parts.skills.count === 1 ? "" : "s"})`, tokens: sum("skills") } } : {}),
    toolSchemas: byLabel("schemas").sort((a, b) => Number(b.label === "built-in") - Number(a.label === "built-in")),
    yourMessages: sum("you"),
    answers: sum("answers"),
    summaries: sum("summaries"),
    toolOutputs: byLabel("outputs").sort((a, b) => b.tokens - a.tokens),
    biggestPaths: [...paths]
      .map(([label, indexes]) => ({ label, tokens: indexes.reduce((n, i) => n + tokens[i], 0) }))
      .sort((a, b) => b.tokens - a.tokens)
      .slice(0, BIGGEST_PATHS),
    biggestItem: leaves.length ? { label: leaves[biggest].item, tokens: tokens[biggest] } : { label: "nothing", tokens: 0 },
  };
}

interface Leaf {
  group: string;
  label: string;
  bytes: number;
  /** How the biggest item is named when it is this one. */
  item: string;
}

/**
 * The system message split into mini-claude's own text, each instructions file and the skills
 * listing, each found in the message as it was sent (a --system-prompt replacement has none).
 * Bytes are counted as in the JSON (a newline is two), so the parts add up to the message.
 */
function systemLeaves(content: string, bytes: number, parts: PromptParts, leaf: (group: string, label: string, bytes: number, item?: string) => void): void {
  let rest = bytes;
  const instructions = parts.instructions;
  if (instructions && content.includes(instructions.text)) {
    // The block may be cut at its cap: the files are counted in order until it is used up.
    let block = escapedBytes(instructions.text);
    for (const section of instructions.sections) {
      const own = Math.min(block, escapedBytes(`[${section.file}]\n${section.text}`));
      if (own <= 0) break;
      leaf("instructions", section.file, own, `the instructions in ${section.file}`);
      block -= own;
      rest -= own;
    }
  }
  for (const { server, text } of parts.mcpInstructions ?? []) {
    if (!content.includes(text)) continue;
    const own = escapedBytes(text);
    leaf("instructions", `MCP server ${server}`, own, `MCP server ${server}'s instructions`);
    rest -= own;
  }
  const skills = parts.skills;
  if (skills && content.includes(skills.text)) {
    const own = escapedBytes(skills.text);
    leaf("skills", "skills", own, "the skills listing");
    rest -= own;
  }
  leaf("system", "system prompt", Math.max(0, rest), "the system prompt");
}

function answerLabel(message: Message): string {
  const text = oneLine(textOf(message.content), 40);
  if (text) return `an answer: "${text}"`;
  const names = ("tool_calls" in message ? (message.tool_calls ?? []) : []).map((call) => (call.type === "function" ? call.function.name : call.type));
  return `the model's call${names.length === 1 ? "" : "s"} to ${names.join(", ") || "tools"}`;
}

/** What a tool output is about: the file it read or changed, the command it ran, the page or the subagent's task. */
function targetOf(name: string, args: Record<string, unknown>): string | undefined {
  const path = args.path ?? args.file_path;
  if (typeof path === "string" && path) return path;
  if (typeof args.command === "string" && args.command) return `\`${oneLine(args.command, 60)}\``;
  if (typeof args.url === "string" && args.url) return args.url;
  // A subagent (the agent tool) by what it was asked to do.
  if (name === "agent" && typeof args.description === "string") return `agent: ${oneLine(args.description, 60)}`;
  return name === "grep" && typeof args.pattern === "string" ? `grep ${oneLine(args.pattern, 40)}` : undefined;
}

function escapedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/** Each leaf's share of `total`, rounded so the shares add up to `total` exactly (the rest goes to the biggest). */
function scaled(leaves: Leaf[], bytes: number, total: number): number[] {
  if (leaves.length === 0) return [];
  const tokens = leaves.map((l) => Math.round((l.bytes * total) / Math.max(1, bytes)));
  const diff = total - tokens.reduce((a, b) => a + b, 0);
  const biggest = tokens.reduce((best, n, i) => (n > tokens[best] ? i : best), 0);
  tokens[biggest] += diff;
  return tokens;
}
