import type OpenAI from "openai";
import { emptyState, planSummary, recordFacts, REQUESTS_SHARE, stubOldOutputs, summaryWords, type CompactionState } from "./compaction.js";
import { formatTokens, parseOverflow, staticWindow, type ContextWindow } from "./window.js";
import type { Message } from "../model/history.js";
import { streamReply, type Reply } from "../model/stream.js";
import { summaryMessage, summaryRequest } from "./summary-prompt.js";
import { TokenEstimator } from "./estimate.js";
import type { SentRequest } from "./ledger.js";

/**
 * The context budget of one conversation: before every model request (between the tool calls of
 * one turn too) estimate the request, and when it would pass about 80% of the window, compact:
 * first old tool outputs become stubs, then, if that is not enough, older steps become a summary
 * written by the model. An overflow error from the server teaches the real window; the request is
 * then compacted and sent once more, never twice over the window.
 */

/** The request would pass this share of the window: compact first. */
const COMPACT_AT = 0.8;
/** Stubbing old outputs is enough when it brings the request under this share. */
const SETTLE_AT = 0.6;
/** Shares of the window kept as they are: recent tool outputs (stage 1), recent steps (stage 2). */
const KEEP_RECENT = 0.3;
const KEEP_TAIL = 0.3;
/** A single output may take at most this share (the person's quoted messages: compaction.ts's REQUESTS_SHARE). */
const MAX_OUTPUT_SHARE = 0.25;
/** A compaction that frees less than this share of the window is no compaction. */
const MIN_PROGRESS = 0.05;

/** The tokens kept free for the model's reply. */
export function replyReserve(window: number): number {
  return Math.min(8192, Math.max(1024, Math.round(window * 0.1)));
}

/**
 * The conversation no longer fits and compaction cannot help: the turn stops with this message.
 * What to do next depends on the mode (/clear is the REPL's), so the terminal adds it between
 * the problem and the server's own words.
 */
export class ContextFullError extends Error {
  constructor(
    readonly problem: string,
    readonly serverSaid: string,
  ) {
    super(`${problem}${serverSaid}`);
  }
}

export interface ContextRequest {
  client: OpenAI;
  model: string;
  /** The conversation; compaction rewrites it in place. */
  messages: Message[];
  tools: unknown[];
  signal: AbortSignal;
  /** One dim line for the person ("compacted: …", the Ollama warning). */
  notify: (text: string) => void;
}

export interface ContextGuardOptions {
  /** The person's --context-window / MINI_CLAUDE_CONTEXT_WINDOW, which nothing overrides but an overflow error. */
  configured?: ContextWindow;
  /** Asks the server (context/window.ts probeServerWindow); called lazily, once per model. */
  probe: (model: string | undefined) => Promise<ContextWindow | undefined>;
  /** Running background jobs, one line each, for the summary's facts. */
  runningJobs?: () => string[];
  /** Facts a summary must keep beside the built-in ones, one line each (which MCP tools exist). */
  moreFacts?: () => string[];
  spillDir?: string;
  /** A summary replaced part of the history: the transcript records the new context. */
  onCompacted?: (messages: Message[], state: CompactionState) => void;
  /** Called before a compaction starts ("auto" when the window forces it, "manual" for /compact); PreCompact hooks. */
  beforeCompact?: (trigger: "auto" | "manual", signal: AbortSignal) => Promise<void>;
  state?: CompactionState;
}

export interface CompactionOutcome {
  line: string;
  before: number;
  after: number;
}

/** Tokens every server's window holds (Ollama's smallest default num_ctx was 2,048). */
const ANY_WINDOW_HOLDS = 2048;

export class ContextGuard {
  window: ContextWindow;
  readonly estimator: TokenEstimator;
  /** The estimate of the last request sent, for /usage. */
  lastRequestTokens = 0;
  /** The last request as it went out, with the provider's count once it came: /context measures it only when asked (ledger.ts). */
  lastSent?: SentRequest;
  private state: CompactionState;
  /** What compactions so far carried over; a rewound transcript records it with the shorter context. */
  get compactionState(): CompactionState {
    return this.state;
  }
  private detected?: { model: string | undefined; done: Promise<void>; settled: boolean };
  private toolBytes = 0;
  private ollamaWarned = false;
  /** The provider's own words when it rejected a request as too long. */
  private serverSaid?: string;
  private stepsSinceCompaction = Infinity;
  private fruitlessCompactions = 0;

  constructor(private readonly options: ContextGuardOptions) {
    this.window = staticWindow(options.configured, undefined);
    this.state = options.state ?? emptyState();
    this.estimator = new TokenEstimator(() => this.toolBytes);
  }

  /**
   * Find the window for `model` (the setting, else the server, else the name table, else 32k).
   * Contract: never rejects; runs the server probes at most once per model.
   */
  detect(model: string | undefined): Promise<void> {
    if (this.detected && this.detected.model === model) return this.detected.done;
    const detected = { model, done: Promise.resolve(), settled: false };
    detected.done = (async () => {
      if (!this.options.configured) {
        const fromServer = await this.options.probe(model).catch(() => undefined);
        this.window = fromServer ?? staticWindow(undefined, model);
      }
      detected.settled = true;
    })();
    this.detected = detected;
    return detected.done;
  }

  /** A new conversation (/clear): nothing carries over but what is known about the window. */
  reset(): void {
    this.state = emptyState();
    this.stepsSinceCompaction = Infinity;
    this.fruitlessCompactions = 0;
  }

  /** "context 23k / 128k (18%) · window from /props" */
  status(messages: readonly Message[]): string {
    const used = this.estimator.estimate(messages);
    const percent = Math.round((used / this.window.tokens) * 100);
    return `context ${formatTokens(used)} / ${formatTokens(this.window.tokens)} (${percent}%) · window from ${this.window.source}`;
  }

  /**
   * Send one model request within the window. Contract: compacts `messages` in place first when
   * needed; on an overflow error learns the window, compacts and sends once more; throws
   * ContextFullError rather than send a request it knows is over the window.
   */
  async request(call: ContextRequest, send: () => Promise<Reply>): Promise<Reply> {
    const detecting = this.detect(call.model);
    // A few KB, measured at every request: the tool list may change mid-session (MCP).
    this.toolBytes = Buffer.byteLength(JSON.stringify(call.tools));
    // The probes cost a round trip or three before a session's first request (OpenRouter's model
    // list is half a megabyte). A request that every real window holds need not wait for them:
    // they finish while it streams, in time for the next one.
    if (!this.detected?.settled && this.estimator.estimate(call.messages) > ANY_WINDOW_HOLDS) await detecting;
    await this.makeRoom(call);
    let reply: Reply;
    try {
      reply = await this.sendRecorded(call, send);
    } catch (error) {
      const overflow = parseOverflow(error);
      if (!overflow || call.signal.aborted) throw error;
      this.serverSaid = String((error as Error).message ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
      this.learnFromOverflow(call.messages, overflow);
      await this.makeRoom(call);
      reply = await this.sendRecorded(call, send);
    }
    this.stepsSinceCompaction++;
    if (reply.usage?.inputTokens) this.estimator.calibrate(call.messages, reply.usage.inputTokens);
    return reply;
  }

  /** Only the list is copied (the messages are shared, never edited): nothing is measured on the request path. */
  private async sendRecorded(call: ContextRequest, send: () => Promise<Reply>): Promise<Reply> {
    const sent: SentRequest = { messages: call.messages.slice(), tools: call.tools };
    this.lastSent = sent;
    const reply = await send();
    sent.usage = reply.usage;
    return reply;
  }

  /** /compact: both stages now, whatever the size, with an optional focus for the summary. */
  async compactNow(call: ContextRequest, focus?: string): Promise<CompactionOutcome | undefined> {
    await this.detect(call.model);
    return this.compact(call, { force: true, focus });
  }

  private async makeRoom(call: ContextRequest): Promise<void> {
    const limit = this.window.tokens - replyReserve(this.window.tokens);
    const trigger = Math.min(COMPACT_AT * this.window.tokens, limit);
    const before = this.estimator.estimate(call.messages);
    if (before > trigger) {
      const outcome = await this.compact(call, { force: false });
      const after = outcome?.after ?? before;
      const freed = before - after;
      this.fruitlessCompactions = this.stepsSinceCompaction < 2 ? this.fruitlessCompactions + 1 : 0;
      this.stepsSinceCompaction = 0;
      if (after > trigger && freed < MIN_PROGRESS * this.window.tokens) throw this.fullError(after, "compaction freed almost nothing");
      if (this.fruitlessCompactions >= 3) throw this.fullError(after, "it had to compact three times in a row without progress");
    }
    const estimate = this.estimator.estimate(call.messages);
    if (estimate > limit) throw this.fullError(estimate, "even after compaction the request would not fit");
    this.lastRequestTokens = estimate;
    this.warnOllama(call, estimate);
  }

  private async compact(call: ContextRequest, options: { force: boolean; focus?: string }): Promise<CompactionOutcome | undefined> {
    const { messages } = call;
    await this.options.beforeCompact?.(options.force ? "manual" : "auto", call.signal);
    const window = this.window.tokens;
    const before = this.estimator.estimate(messages);
    const stubbed = stubOldOutputs(messages, {
      keepRecentTokens: KEEP_RECENT * window,
      maxOutputTokens: MAX_OUTPUT_SHARE * window,
      estimator: this.estimator,
      spillDir: this.options.spillDir,
    });
    const afterStubs = this.estimator.estimate(messages);
    if (!options.force && afterStubs <= SETTLE_AT * window) {
      if (!stubbed) return undefined;
      return this.report(call, `${stubbed} old tool output${stubbed === 1 ? "" : "s"} → stubs`, before, afterStubs);
    }
    // On demand (/compact) everything but the latest step is summarised.
    const plan = planSummary(messages, options.force ? 0 : KEEP_TAIL * window, this.estimator);
    if (!plan) return stubbed ? this.report(call, `${stubbed} old tool outputs → stubs`, before, afterStubs) : undefined;

    const words = summaryWords(window);
    const viewBytes = Math.floor((window * 0.55 - words * 1.5) * this.estimator.ratio);
    const request = summaryRequest(plan.head, messages, viewBytes, words, options.focus);
    const reply = await streamReply({ client: call.client, model: call.model, messages: request, tools: [], signal: call.signal });
    if (call.signal.aborted) throw new DOMException("aborted", "AbortError");
    this.state = recordFacts(this.state, plan.head, messages);
    const latestRequestFolded = !plan.tail.some((m) => m.role === "user");
    const summary = summaryMessage({
      summary: cutSummary(reply.text, words),
      replaced: plan.head.length,
      state: this.state,
      runningJobs: this.options.runningJobs?.() ?? [],
      moreFacts: this.options.moreFacts?.(),
      requestBytes: Math.floor(REQUESTS_SHARE * window * this.estimator.ratio),
      latestRequestFolded,
    });
    messages.splice(1, plan.cut - 1, summary);
    this.options.onCompacted?.(messages.slice(1), this.state);
    return this.report(call, `${plan.head.length} messages → summary`, before, this.estimator.estimate(messages));
  }

  private report(call: ContextRequest, what: string, before: number, after: number): CompactionOutcome {
    const line = `compacted: ${what} · ${formatTokens(before)} → ${formatTokens(after)} tokens`;
    call.notify(line);
    return { line, before, after };
  }

  private learnFromOverflow(messages: readonly Message[], overflow: { window?: number; promptTokens?: number }): void {
    const estimate = this.estimator.estimate(messages);
    const window = overflow.window ?? this.window.tokens;
    // The rejected request was over the window even if the error does not say by how much.
    const actual = overflow.promptTokens ?? Math.max(estimate, window + 1);
    this.window = { tokens: Math.min(window, this.window.tokens), source: "the server's overflow error" };
    this.estimator.calibrate(messages, actual);
  }

  private warnOllama(call: ContextRequest, estimate: number): void {
    const numCtx = this.window.ollamaNumCtx;
    if (!numCtx || this.ollamaWarned || estimate <= numCtx || numCtx >= this.window.tokens) return;
    this.ollamaWarned = true;
    call.notify(
      `Ollama cuts prompts longer than its num_ctx (${numCtx} tokens) without saying so, and this one is about ${formatTokens(estimate)}. ` +
        `Raise it (OLLAMA_CONTEXT_LENGTH=32768 ollama serve, or PARAMETER num_ctx in a Modelfile), or run with --context-window ${numCtx} so mini-claude compacts to fit.`,
    );
  }

  private fullError(tokens: number, why: string): ContextFullError {
    const said = this.serverSaid ? ` The server said: "${this.serverSaid}".` : "";
    return new ContextFullError(
      `The conversation no longer fits the model's context window (${formatTokens(this.window.tokens)} tokens, from ${this.window.source}): ${why} ` +
        `(about ${formatTokens(tokens)} tokens needed).`,
      said,
    );
  }
}

function cutSummary(text: string, words: number): string {
  const max = words * 8;
  return text.length > max ? `${text.slice(0, max)}… [summary cut]` : text;
}
