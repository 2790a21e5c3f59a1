import type { Conversation } from "../../loop/conversation.js";
import type { Ledger, LedgerItem } from "../../context/ledger.js";
import { previewCompaction } from "../../context/compact-preview.js";
import { nextRequestLedger, requestLedger } from "../../loop/request-ledger.js";

/**
 * /context: where the tokens of the last request went, source by source (context/ledger.ts
 * measures them), the five biggest tool outputs by path, the biggest single item and what
 * /compact would free, laid out to fit the terminal's width.
 */

/** Wider than this, the numbers drift too far from their labels to read across. */
const MAX_WIDTH = 88;
const NUMBER_WIDTH = 8;
const SHARE_WIDTH = 6;

export async function contextReport(conversation: Conversation, columns = process.stdout.columns || 80): Promise<string> {
  const width = Math.max(40, Math.min(columns, MAX_WIDTH)) - 1;
  const ledger = requestLedger(conversation);
  const shown = ledger ?? (await nextRequestLedger(conversation));
  const lines = [...wrap(heading(shown, !ledger), width), ...table(shown, width)];
  if (shown.biggestPaths.length) {
    lines.push("Biggest tool outputs by path:");
    for (const item of shown.biggestPaths) lines.push(row(item.label, item.tokens, shown.total, width, 1));
  }
  if (shown.total > 0) lines.push(...wrap(`Biggest single item: ${shown.biggestItem.label}, ${count(shown.biggestItem.tokens)} tokens (${share(shown.biggestItem.tokens, shown.total)}).`, width));
  if (shown.subagents?.length) {
    lines.push("Subagents, in requests of their own (not in the total):");
    for (const item of shown.subagents) lines.push(row(item.label, item.tokens, 0, width, 1));
  }
  lines.push(...wrap(compactLine(conversation), width));
  lines.push(...wrap(conversation.context.status(conversation.messages), width));
  return lines.join("\n");
}

function heading(ledger: Ledger, notSentYet: boolean): string {
  if (notSentYet) return `No request sent yet; the first would carry about ${count(ledger.total)} tokens (estimated from its bytes).`;
  const counted =
    ledger.countedBy === "provider"
      ? "as the provider counted them; each source is measured in the bytes sent and scaled to that count"
      : "estimated from the bytes sent (the provider reported no count)";
  const extras = [
    ledger.cached === undefined ? "" : `Cached ${count(ledger.cached)} (${share(ledger.cached, ledger.total)}), uncached ${count(Math.max(0, ledger.total - ledger.cached))}`,
    ledger.cost === undefined ? "" : `Cost $${ledger.cost.toFixed(4)} as the provider reported it`,
  ].filter(Boolean);
  return `Last request: ${count(ledger.total)} tokens, ${counted}.${extras.map((extra) => ` ${extra}.`).join("")}`;
}

/** Sources and their parts; the top-level rows add up to the total. */
function table(ledger: Ledger, width: number): string[] {
  const total = ledger.total;
  const lines = [`${"".padEnd(width - NUMBER_WIDTH - SHARE_WIDTH)}${"tokens".padStart(NUMBER_WIDTH)}${"share".padStart(SHARE_WIDTH)}`];
  // A prompt or schema group of one part shows only its own row; history and outputs always say their kinds.
  const group = (label: string, items: LedgerItem[], always = false) => {
    lines.push(row(label, items.reduce((sum, item) => sum + item.tokens, 0), total, width, 0));
    if (items.length > 1 || always) for (const item of items) lines.push(row(item.label, item.tokens, total, width, 1));
  };
  group("System prompt", [{ label: "mini-claude's own", tokens: ledger.systemPrompt }, ...ledger.instructions, ...(ledger.skills ? [ledger.skills] : [])]);
  group("Tool schemas", ledger.toolSchemas);
  group("History", [
    { label: "your messages", tokens: ledger.yourMessages },
    { label: "answers", tokens: ledger.answers },
    { label: "summaries", tokens: ledger.summaries },
  ], true);
  group("Tool outputs", ledger.toolOutputs, true);
  return lines;
}

function row(label: string, tokens: number, total: number, width: number, depth: number): string {
  const indent = "  ".repeat(depth);
  const room = width - NUMBER_WIDTH - SHARE_WIDTH - indent.length - 1;
  const shareText = total > 0 ? share(tokens, total) : "";
  return `${indent}${fit(label, room).padEnd(room)} ${count(tokens).padStart(NUMBER_WIDTH)}${shareText.padStart(SHARE_WIDTH)}`;
}

/** What /compact would do now, in compaction.ts's terms. */
function compactLine(conversation: Conversation): string {
  const { context, messages } = conversation;
  const preview = previewCompaction(messages, context.window.tokens, context.estimator);
  if (!preview) return "/compact would free nothing yet: there is no step before the latest one to summarise.";
  const frees = preview.freesAtLeast === preview.freesAtMost ? `about ${count(preview.freesAtMost)}` : `${count(preview.freesAtLeast)}–${count(preview.freesAtMost)}`;
  return (
    `/compact would free ${frees} tokens: ${preview.summarised} earlier messages (${count(preview.summarisedTokens)}) become one summary ` +
    `of at most ${count(preview.summaryAtMost)}; the latest step (${count(preview.keptTokens)}) is kept.`
  );
}

/** A label too long for its column keeps its start and its end (a path's file name). */
function fit(text: string, room: number): string {
  const chars = [...text];
  if (chars.length <= room) return text;
  const tail = Math.floor((room - 1) / 2);
  return `${chars.slice(0, room - 1 - tail).join("")}…${chars.slice(chars.length - tail).join("")}`;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  // A word longer than a line (a path) is cut into pieces that fit.
  const words = text.split(" ").flatMap((word) => word.match(new RegExp(`.{1,${width - 2}}`, "gu")) ?? [word]);
  for (const word of words) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function count(tokens: number): string {
  return tokens.toLocaleString("en-US");
}

function share(part: number, total: number): string {
  return `${Math.round((part / Math.max(1, total)) * 100)}%`;
}
