import type { AssistantMessage, Message } from "../model/history.js";
import { isImageOnly, withoutImagesIn } from "../model/image-parts.js";
import { spillOutput, spillPathIn } from "../tools/spill.js";
import type { TokenEstimator } from "./estimate.js";
import { capOutput } from "../truncate.js";
import { oneLine, textOf } from "../text.js";

/**
 * The two stages that make a long history fit its window again, as pure operations on the
 * message list (the budget check in context.ts decides when; summary-prompt.ts talks to the model).
 *
 * 1. Stubs: old tool outputs become one line saying what was there and how to get it back. All
 *    outputs older than the recent part go in one batch, so the requests that follow share a
 *    byte-identical prefix again and providers' prompt caches keep hitting.
 * 2. Summary: the older steps are replaced by one message; the cut falls only before an assistant
 *    message (a step boundary), so every tool call keeps exactly one answer.
 */

export const STUB_PREFIX = "[Output of ";
export const SUMMARY_PREFIX = "[Summary of the earlier conversation";
/** Outputs shorter than this stay: their stub would save next to nothing. */
const STUB_MIN_BYTES = 300;
/** A summary quotes the person's earlier messages in at most this share of the window. */
export const REQUESTS_SHARE = 0.1;

/** The words a summary may have: about a tenth of the window, within 150 and 1,500. */
export function summaryWords(window: number): number {
  return Math.max(150, Math.min(1500, Math.round(window * 0.1 * 0.75)));
}

/** What the harness itself knows and carries over compactions, not left to the model's memory. */
export interface CompactionState {
  /** The person's messages already folded into a summary, word for word, oldest first. */
  requests: string[];
  /** Files changed by write_file / edit_file this session. */
  edited: string[];
  /** The latest commands with their exit codes: "`npm test` → exit code 1". */
  exits: string[];
}

export const emptyState = (): CompactionState => ({ requests: [], edited: [], exits: [] });

interface CallInfo {
  name: string;
  args: Record<string, unknown>;
}

/** Every tool call in the history by id, with its parsed arguments. */
export function callsById(messages: readonly Message[]): Map<string, CallInfo> {
  const calls = new Map<string, CallInfo>();
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    for (const call of (message as AssistantMessage).tool_calls ?? []) {
      if (call.type !== "function") continue;
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(call.function.arguments || "{}");
      } catch {
        // a malformed call keeps its name; its stub just says less
      }
      calls.set(call.id, { name: call.function.name, args });
    }
  }
  return calls;
}

export interface StubOptions {
  /** Tool outputs within this many tokens of the end stay whole. */
  keepRecentTokens: number;
  /** No single output may stay bigger than this (a huge recent read on a small window). */
  maxOutputTokens: number;
  estimator: TokenEstimator;
  spillDir?: string;
}

/**
 * Stage 1. Replaces, in place, every old tool output with a stub, and cuts any output bigger
 * than `maxOutputTokens` (saving it whole first, so nothing is lost). The most recent step always
 * keeps its outputs (cut if too big). Returns how many messages changed.
 */
export function stubOldOutputs(messages: Message[], options: StubOptions): number {
  const calls = callsById(messages);
  const lastStep = lastIndexOf(messages, "assistant");
  let recentStart = messages.length;
  for (let tokens = 0; recentStart > 1; recentStart--) {
    tokens += options.estimator.estimatePart([messages[recentStart - 1]]);
    if (tokens > options.keepRecentTokens) break;
  }
  if (lastStep !== -1) recentStart = Math.min(recentStart, lastStep);
  const maxBytes = Math.floor(options.maxOutputTokens * options.estimator.ratio);
  let changed = 0;
  messages.forEach((message, i) => {
    // A tool's old images (read_file's) go the way of its old outputs: one line, read again if needed.
    if (i < recentStart && isImageOnly(message)) {
      const { names } = withoutImagesIn(message);
      messages[i] = { role: "user", content: `${STUB_PREFIX}image ${names.join(", ")} removed to save context. Read it again with read_file if you need it.]` };
      changed++;
      return;
    }
    if (message.role !== "tool" || typeof message.content !== "string") return;
    const content = message.content;
    if (content.startsWith(STUB_PREFIX)) return;
    const call = calls.get(message.tool_call_id);
    let next: string | undefined;
    if (i < recentStart && Buffer.byteLength(content) > STUB_MIN_BYTES) next = stubFor(call, content);
    else if (Buffer.byteLength(content) > maxBytes) next = shrink(content, maxBytes, call?.name, options.spillDir);
    if (next === undefined) return;
    messages[i] = { role: "tool", tool_call_id: message.tool_call_id, content: next };
    changed++;
  });
  return changed;
}

/** The one line that replaces an old output: what it was, and how to get it again. */
export function stubFor(call: CallInfo | undefined, content: string): string {
  const name = call?.name ?? "a tool";
  const args = call ? ` ${oneLine(JSON.stringify(call.args), 160)}` : "";
  const lines = content.split("\n").length;
  const size = `${lines} line${lines === 1 ? "" : "s"}, ${(Buffer.byteLength(content) / 1024).toFixed(1)} KB`;
  const exit = /exit code (-?\d+)/.exec(content.slice(-200))?.[0];
  const started = oneLine(content, 80);
  const spilled = spillPathIn(content);
  const again = spilled
    ? `It is saved whole in ${spilled}; read it there with read_file.`
    : name === "exec"
      ? "Run the command again if you need it."
      : name === "read_file"
        ? "Read the file again if you need it."
        : `Call ${name} again if you need it.`;
  return `${STUB_PREFIX}${name}${args} removed to save context (${size}${exit ? `, ${exit}` : ""}; it began ${JSON.stringify(started)}). ${again}]`;
}

function shrink(content: string, maxBytes: number, name: string | undefined, spillDir?: string): string {
  const already = spillPathIn(content);
  let note = "";
  if (!already && spillDir) {
    try {
      const path = spillOutput(content, spillDir, name);
      note = `\n[Cut to fit the context window; the whole output (${Buffer.byteLength(content)} bytes) is saved in ${path}; page through it with read_file (offset/limit).]`;
    } catch {
      // the cut still has to happen; only the copy is lost
    }
  }
  return capOutput(content, Math.max(512, maxBytes - Buffer.byteLength(note))) + note;
}

/** Where stage 2 cuts: messages[1..cut) are summarised, messages[cut..] are kept as they are. */
export interface SummaryPlan {
  cut: number;
  head: Message[];
  tail: Message[];
}

/**
 * Choose the cut: the earliest step boundary (an assistant message) after which at most
 * `keepTailTokens` remain, but never after the latest step, which is always kept. A history
 * ending with the person's new request may be cut at its end (the request is quoted in the
 * summary). Contract: undefined when the part before the cut holds no step to summarise.
 */
export function planSummary(messages: readonly Message[], keepTailTokens: number, estimator: TokenEstimator): SummaryPlan | undefined {
  const lastStep = lastIndexOf(messages, "assistant");
  const lastRequest = lastIndexOf(messages, "user");
  const latest = lastStep > lastRequest ? lastStep : messages.length;
  let cut = latest;
  let tail = estimator.estimatePart(messages.slice(latest));
  for (let i = latest - 1; i >= 2; i--) {
    tail += estimator.estimatePart([messages[i]]);
    if (tail > keepTailTokens) break;
    if (messages[i].role === "assistant") cut = i;
  }
  const head = messages.slice(1, cut);
  // Without a step in it the head is only the person's words (and an earlier summary): nothing to gain.
  if (!head.some((m) => m.role === "assistant")) return undefined;
  return { cut, head, tail: messages.slice(cut) };
}

/** A tool's images after stubbing, or as notes for a model without images: not the person's words either. */
function isImageStub(message: Message): boolean {
  return message.role === "user" && typeof message.content === "string" && (message.content.startsWith(`${STUB_PREFIX}image `) || message.content.startsWith("[image "));
}

export function isSummary(message: Message): boolean {
  return message.role === "user" && typeof message.content === "string" && message.content.startsWith(SUMMARY_PREFIX);
}

/** The person's own words in `messages`, skipping earlier summaries. */
export function personMessages(messages: readonly Message[]): string[] {
  return messages.filter((m) => m.role === "user" && !isSummary(m) && !isImageOnly(m) && !isImageStub(m)).map((m) => textOf(m.content));
}

/**
 * Fold what the harness can read off the summarised steps into the state: files changed, and
 * the exit code of every command. Returns a new state.
 */
export function recordFacts(state: CompactionState, head: readonly Message[], allMessages: readonly Message[]): CompactionState {
  const calls = callsById(allMessages);
  const edited = new Set(state.edited);
  const exits = [...state.exits];
  for (const message of head) {
    if (message.role !== "tool" || typeof message.content !== "string") continue;
    const call = calls.get(message.tool_call_id);
    if (!call || message.content.startsWith("Error:")) continue;
    if ((call.name === "write_file" || call.name === "edit_file") && typeof call.args.path === "string") edited.add(call.args.path);
    const exit = /exit code (-?\d+)/.exec(message.content.slice(-200))?.[1];
    if (call.name === "exec" && exit !== undefined) exits.push(`\`${oneLine(String(call.args.command ?? ""), 120)}\` → exit code ${exit}`);
  }
  return { requests: [...state.requests, ...personMessages(head)], edited: [...edited], exits: exits.slice(-8) };
}


function lastIndexOf(messages: readonly Message[], role: Message["role"]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === role) return i;
  return -1;
}
