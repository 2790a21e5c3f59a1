import type { AgentEvent, StopReason } from "../loop/agent.js";
import type { Config } from "../config/config.js";
import type { Conversation } from "../loop/conversation.js";
import { EXIT } from "../exit-codes.js";
import type { Usage } from "../model/usage.js";
import type { ToolContext } from "../tools/index.js";
import { addUsage } from "../model/usage.js";
import { describeError } from "./errors.js";
import { jsonUsage, SCHEMA_VERSION, streamEventsFor, type ResultEvent, type ResultReason, type StreamEvent } from "./json-events.js";
import { JsonLines } from "./json-lines.js";
import { jsonUsageBySource, type JsonUsageBySource } from "./json-ledger.js";
import { requestLedger } from "../loop/request-ledger.js";

/**
 * `--print --output-format json|stream-json`: stdout carries JSON and nothing else; the person's
 * diagnostics go to stderr. json writes one result object at the end; stream-json writes an
 * init line, then one line per thing that happens, then the same result object.
 *
 * Contract: exactly one `result` line on every way out: an answer, the fuse, a cut answer, an
 * endpoint error, the first interrupt (the turn stops, then the result), a second interrupt
 * (`abandon`), and process exit (`atExit`, best effort when lines are still queued).
 */

/** What a JSON printer needs (ours, or the sdk wing's Claude dialect): the request and the ways to run and approve it. */
export interface JsonPrintOptions {
  config: Config;
  conversation: Conversation;
  prompt: string;
  signal: AbortSignal;
  approve: ToolContext["approve"];
  /** The id for --resume, once known. */
  sessionId: () => string | undefined;
}

/** --output-format json|stream-json: runs the request and writes its lines; ends them on an interrupt or exit. */
export interface JsonPrinter {
  run(): Promise<number>;
  abandon(): Promise<void>;
  atExit(): void;
}

const REASONS: Record<StopReason, ResultReason> = { done: "completed", max_steps: "max_turns", aborted: "aborted", cut: "length" };

/** How long a second interrupt waits for a slow reader to take the last lines before exiting anyway. */
const ABANDON_DRAIN_MS = 2000;

export class JsonPrint implements JsonPrinter {
  private readonly lines = new JsonLines();
  private readonly started = performance.now();
  private readonly stream: boolean;
  private readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private readonly files: string[] = [];
  private step = 0;
  private answer = "";
  private tools: string[] = [];
  private initWritten = false;
  private result?: ResultEvent;

  constructor(private readonly options: JsonPrintOptions) {
    this.stream = options.config.outputFormat === "stream-json";
  }

  /** Runs the prompt; resolves to the exit code once every line has left the process. */
  async run(): Promise<number> {
    const { conversation, config, signal } = this.options;
    try {
      this.tools = await conversation.toolNames();
      // A configured model: learn its window before the init line, which reports it.
      if (conversation.model) await conversation.context.detect(conversation.model);
      if (conversation.model) this.writeInit();
      const stop = await conversation.send(this.options.prompt, { signal, approve: this.options.approve, onEvent: (event) => this.handle(event) });
      return await this.finish(REASONS[stop], stopMessage(stop, config));
    } catch (error) {
      if (signal.aborted) return this.finish("aborted");
      const message = await describeError(error, { baseURL: config.baseURL, model: conversation.model, print: true });
      return this.finish("provider_error", message ?? "The request failed.");
    }
  }

  /** A second interrupt: the result now (if not written yet), then a short wait for the reader. */
  async abandon(): Promise<void> {
    this.writeResult("aborted");
    await Promise.race([this.lines.drain(), new Promise((resolve) => setTimeout(resolve, ABANDON_DRAIN_MS).unref())]);
  }

  /** The process is exiting without having written its result (an unexpected error): write it if it cannot overtake earlier lines. */
  atExit(): void {
    if (this.result) return;
    this.writeInit();
    this.result = this.resultEvent("provider_error", "mini-claude stopped unexpectedly.");
    this.lines.writeSyncIfIdle(this.result);
  }

  private handle(event: AgentEvent): void {
    if (event.type === "request" && event.step > 0) {
      this.step = event.step;
      this.writeInit();
    }
    if (event.type === "usage") addUsage(this.usage, event.usage);
    if (event.type === "assistant_end" && !event.toolCalls) this.answer = event.text;
    if (event.type === "tool_end" && event.ok && event.diff && !this.files.includes(event.diff.path)) this.files.push(event.diff.path);
    if (!this.stream) return;
    for (const line of streamEventsFor(event, this.step, this.options.config.includePartial)) {
      // Measured here, not on the request path: the usage line follows the request it describes.
      const bySource = line.type === "usage" ? this.usageBySource() : undefined;
      this.lines.write(bySource ? { ...line, usage_by_source: bySource } : line);
    }
  }

  private writeInit(): void {
    if (!this.stream || this.initWritten) return;
    this.initWritten = true;
    const { config, conversation } = this.options;
    const line: StreamEvent = {
      type: "init",
      schema_version: SCHEMA_VERSION,
      session_id: this.options.sessionId() ?? null,
      model: conversation.model ?? null,
      endpoint_host: endpointHost(config.baseURL),
      context_window: conversation.context.window.tokens,
      tools: this.tools,
      permission_mode: config.claude?.permissionMode ?? "default",
    };
    this.lines.write(line);
  }

  private async finish(reason: ResultReason, error?: string): Promise<number> {
    if (error) process.stderr.write(`${error}\n`);
    this.writeResult(reason, error);
    await this.lines.drain();
    if (reason === "completed") return EXIT.ok;
    return reason === "aborted" ? EXIT.interrupted : EXIT.failed;
  }

  private writeResult(reason: ResultReason, error?: string): void {
    if (this.result) return;
    this.writeInit();
    this.result = this.resultEvent(reason, error);
    this.lines.write(this.result);
  }

  private resultEvent(reason: ResultReason, error?: string): ResultEvent {
    return {
      type: "result",
      schema_version: SCHEMA_VERSION,
      is_error: reason !== "completed",
      reason,
      result: this.answer,
      ...(error ? { error } : {}),
      turns: this.step,
      usage: jsonUsage(this.usage),
      ...(this.usage.cost === undefined ? {} : { cost: this.usage.cost }),
      duration_ms: Math.round(performance.now() - this.started),
      session_id: this.options.sessionId() ?? null,
      files_changed: this.files,
      ...this.lastUsageBySource(),
    };
  }

  /** The last request's tokens by source (none before any request); never lets a measuring problem cost the result line. */
  private usageBySource(): JsonUsageBySource | undefined {
    try {
      const ledger = requestLedger(this.options.conversation);
      return ledger && jsonUsageBySource(ledger);
    } catch {
      return undefined;
    }
  }

  private lastUsageBySource(): { usage_by_source?: JsonUsageBySource } {
    const bySource = this.usageBySource();
    return bySource ? { usage_by_source: bySource } : {};
  }
}

/** The line text mode prints for a stop that is not an answer (the same words, for scripts). */
function stopMessage(stop: StopReason, config: Config): string | undefined {
  if (stop === "cut") return "The answer was cut by the model's output token limit (finish_reason \"length\"): it is incomplete.";
  if (stop === "max_steps") return `Stopped after ${config.maxIterations} model calls (--max-iterations); the task may be unfinished.`;
  return undefined;
}

function endpointHost(baseURL: string | undefined): string {
  try {
    return new URL(baseURL ?? "https://api.openai.com/v1").host;
  } catch {
    return "";
  }
}
