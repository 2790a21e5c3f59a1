import type { Message } from "../../model/history.js";
import { stripControls } from "../../sanitize.js";
import { fitLine } from "../render/tool-lines.js";
import { textOf } from "../../text.js";
import { typedOf } from "../../session/records.js";
import { isImageOnly } from "../../model/image-parts.js";

/**
 * The last few exchanges of a resumed conversation, compactly, so the person knows where they
 * are: each request on one line, how many tool calls it took, and the start of the final answer.
 */

const EXCHANGES = 3;
const ANSWER_LINES = 3;

interface Exchange {
  request: string;
  toolCalls: number;
  answer: string;
}

/** Lines to print under the banner; empty when there is nothing earlier to show. */
export function recapLines(messages: Message[], columns: number | undefined, dim: (text: string) => string): string[] {
  const exchanges = collect(messages).slice(-EXCHANGES);
  if (!exchanges.length) return [];
  const lines = [dim("── earlier in this session ──")];
  for (const exchange of exchanges) {
    lines.push(fitLine(`› ${firstLineAndCount(exchange.request)}`, columns));
    if (exchange.toolCalls) lines.push(dim(`  (${exchange.toolCalls} tool call${exchange.toolCalls === 1 ? "" : "s"})`));
    const answer = exchange.answer.split("\n").filter((line) => line.trim());
    for (const line of answer.slice(0, ANSWER_LINES)) lines.push(fitLine(`  ${line}`, columns));
    if (answer.length > ANSWER_LINES) lines.push(dim(`  … ${answer.length - ANSWER_LINES} more lines`));
  }
  lines.push(dim("──"));
  return lines;
}

function collect(messages: Message[]): Exchange[] {
  const exchanges: Exchange[] = [];
  for (const message of messages) {
    if (message.role === "user" && isImageOnly(message)) continue;
    if (message.role === "user") {
      // Headed by what the person typed, not what was sent with it (a hook's context, an interruption note).
      const text = stripControls(typedOf(message) ?? textOf(message.content, "").replace(/^\[The user interrupted[^\]]*\]\s*/, ""));
      exchanges.push({ request: text, toolCalls: 0, answer: "" });
    } else if (message.role === "assistant" && exchanges.length) {
      const last = exchanges[exchanges.length - 1];
      last.toolCalls += message.tool_calls?.length ?? 0;
      const text = stripControls(textOf(message.content, ""));
      if (text.trim()) last.answer = text;
    }
  }
  return exchanges.filter((exchange) => exchange.request.trim());
}

function firstLineAndCount(text: string): string {
  const lines = text.trim().split("\n");
  return lines.length > 1 ? `${lines[0]} (+${lines.length - 1} lines)` : lines[0];
}
