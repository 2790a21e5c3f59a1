import { isSummary, SUMMARY_PREFIX, type CompactionState } from "./compaction.js";
import { oneLine, textOf } from "../text.js";
import type { AssistantMessage, Message } from "../model/history.js";

/**
 * What the model is asked when older steps must become one summary, and the message that
 * replaces them. The template's sections are what a fresh agent needs to continue without the
 * original messages (see the README, "Long sessions"). The person's own messages and the facts
 * the harness knows (edited files, running jobs, exit codes) are not left to the model: code adds
 * them after its summary, word for word.
 */

export const SUMMARY_SYSTEM =
  "You compact the history of a coding agent's session so the agent can continue the same task without " +
  "the original messages. Be specific: exact file paths, function names, commands, error messages, " +
  "numbers. Never invent anything that is not in the history. Write only the summary.";

export const SUMMARY_TEMPLATE = `Summarise the conversation above in exactly these sections (Markdown headings), at most about {words} words in all:

## Goal and constraints
What the person wants, and every constraint or preference they stated.
## Decisions
What was decided and why (approaches chosen or rejected).
## Files
Files read and files changed, each with why and what matters in it now.
## Commands
Commands run and their outcomes (exit codes, key output).
## Failures
What failed or did not work, and what was learned from it.
## Open problems
What is still unresolved or uncertain.
## Next step
The single next thing the agent was about to do.`;

/** Per item, how much of a tool result and of other text the trimmed view shows. */
const VIEW_LIMITS = [
  { result: 600, text: 2000 },
  { result: 200, text: 800 },
  { result: 0, text: 300 },
];

/**
 * The summary request: a rendering of `head` (the steps to summarise) that fits `maxBytes`.
 * Long results are cut first, then shorter; if it still does not fit, the middle of the history
 * is left out (the start, with the person's goal, and the most recent part stay), so the request
 * itself never overflows the window.
 */
export function summaryRequest(head: readonly Message[], allMessages: readonly Message[], maxBytes: number, words: number, focus?: string): Message[] {
  let view = "";
  for (const limits of VIEW_LIMITS) {
    view = renderHistory(head, allMessages, limits);
    if (Buffer.byteLength(view) <= maxBytes) break;
  }
  if (Buffer.byteLength(view) > maxBytes) view = keepEnds(view, maxBytes);
  const focusLine = focus ? `\n\nThe person asked to focus the summary on: ${focus}` : "";
  return [
    { role: "system", content: SUMMARY_SYSTEM },
    {
      role: "user",
      content: `<history>\n${view}\n</history>\n\n${SUMMARY_TEMPLATE.replace("{words}", String(words))}${focusLine}`,
    },
  ];
}

function renderHistory(head: readonly Message[], allMessages: readonly Message[], limits: { result: number; text: number }): string {
  const names = new Map<string, string>();
  for (const m of allMessages) for (const call of (m as AssistantMessage).tool_calls ?? []) if (call.type === "function") names.set(call.id, call.function.name);
  const lines: string[] = [];
  for (const message of head) {
    const text = textOf(message.content as Message["content"]);
    if (isSummary(message)) lines.push(`EARLIER SUMMARY:\n${text}`);
    else if (message.role === "user") lines.push(`PERSON: ${cut(text, limits.text * 2)}`);
    else if (message.role === "assistant") {
      if (text) lines.push(`AGENT: ${cut(text, limits.text)}`);
      for (const call of (message as AssistantMessage).tool_calls ?? []) {
        if (call.type === "function") lines.push(`CALL ${call.function.name} ${oneLine(call.function.arguments, 300)}`);
      }
    } else if (message.role === "tool") {
      const name = names.get(message.tool_call_id) ?? "tool";
      lines.push(limits.result ? `RESULT of ${name}: ${cut(text, limits.result)}` : `RESULT of ${name}: (${Buffer.byteLength(text)} bytes)`);
    }
  }
  return lines.join("\n");
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more characters]` : text;
}

function keepEnds(view: string, maxBytes: number): string {
  const lines = view.split("\n");
  const budget = maxBytes - 100;
  const start: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget * 0.3) break;
    start.push(line);
    used += line.length + 1;
  }
  const end: string[] = [];
  for (let i = lines.length - 1; i >= start.length; i--) {
    if (used + lines[i].length + 1 > budget) break;
    end.unshift(lines[i]);
    used += lines[i].length + 1;
  }
  const left = lines.length - start.length - end.length;
  return [...start, `[… ${left} lines of the history left out to fit the window …]`, ...end].join("\n");
}

/**
 * The message that replaces the summarised steps: the model's summary, then the harness's facts,
 * then the person's messages word for word (as many as fit `requestBytes`: always the first and
 * the latest). `latestRequest` is set when the request being worked on was summarised too.
 */
export function summaryMessage(options: {
  summary: string;
  replaced: number;
  state: CompactionState;
  runningJobs: string[];
  /** More facts, one line each, from whoever owns them (the MCP tools that exist). */
  moreFacts?: string[];
  requestBytes: number;
  latestRequestFolded: boolean;
}): Message {
  const { state } = options;
  const facts = [
    `- Files changed this session: ${state.edited.length ? state.edited.join(", ") : "none"}`,
    `- Background jobs still running: ${options.runningJobs.length ? options.runningJobs.join("; ") : "none"}`,
    `- Latest commands: ${state.exits.length ? state.exits.join("; ") : "none"}`,
    ...(options.moreFacts ?? []).map((fact) => `- ${fact}`),
  ];
  const requests = quoteRequests(state.requests, options.requestBytes);
  const latest = options.latestRequestFolded ? "\nThe last of these is the latest request; the messages after this summary continue from it." : "";
  const content = [
    `${SUMMARY_PREFIX}: ${options.replaced} messages were replaced by this summary to fit the context window.]`,
    "",
    options.summary.trim() || "(The model wrote no summary.)",
    "",
    "## Facts recorded by mini-claude",
    ...facts,
    "",
    "## The person's messages, word for word",
    requests + latest,
  ].join("\n");
  return { role: "user", content };
}

function quoteRequests(requests: string[], maxBytes: number): string {
  if (requests.length === 0) return "(none)";
  const quote = (text: string, i: number) => `${i + 1}. ${text.replace(/\n/g, "\n   ")}`;
  const each = (i: number) => {
    const text = requests[i];
    const limit = Math.floor(maxBytes / 2);
    return Buffer.byteLength(text) > limit ? `${text.slice(0, limit)}… [cut; the whole message is in the session transcript]` : text;
  };
  const keep = new Set([0, requests.length - 1]);
  let used = [...keep].reduce((sum, i) => sum + Buffer.byteLength(each(i)), 0);
  for (let i = requests.length - 2; i > 0; i--) {
    const size = Buffer.byteLength(requests[i]);
    if (used + size > maxBytes) break;
    keep.add(i);
    used += size;
  }
  const lines: string[] = [];
  let skipped = 0;
  requests.forEach((_, i) => {
    if (!keep.has(i)) return void skipped++;
    if (skipped) lines.push(`   [${skipped} earlier message${skipped === 1 ? "" : "s"} left out to fit; their gist is in the summary]`);
    skipped = 0;
    lines.push(quote(keep.has(i) && (i === 0 || i === requests.length - 1) ? each(i) : requests[i], i));
  });
  return lines.join("\n");
}
