import { randomUUID } from "node:crypto";
import type { StopReason } from "../loop/agent.js";
import { EXIT } from "../exit-codes.js";
import { describeError } from "../terminal/errors.js";
import { JsonLines } from "../terminal/json-lines.js";
import { claudeInit, ClaudeTurn, mcpStatus } from "./claude-messages.js";
import type { ClaudePermissions } from "./permissions.js";
import { replaceSystemPrompt } from "./system-prompt-flags.js";
import type { JsonPrintOptions } from "../terminal/json-print.js";

/**
 * `-p --output-format json|stream-json --json-dialect claude`: what `claude -p` writes, for scripts
 * written for it. json: the `result` object alone; stream-json: `system/init`, the assistant and
 * tool-result messages, then the result. The same exit codes and the same "one result on every way
 * out" contract as mini-claude's own dialect (json-print.ts).
 */

export interface ClaudePrintOptions extends JsonPrintOptions {
  version: string;
  permissions?: ClaudePermissions;
}

const EXIT_CODES: Record<StopReason | "error", number> = { done: EXIT.ok, cut: EXIT.failed, max_steps: EXIT.failed, aborted: EXIT.interrupted, error: EXIT.failed };

export class ClaudePrint {
  private readonly lines = new JsonLines();
  private readonly stream: boolean;
  private readonly turn: ClaudeTurn;
  private readonly fallbackId = randomUUID();
  private written = false;

  constructor(private readonly options: ClaudePrintOptions) {
    this.stream = options.config.outputFormat === "stream-json";
    const { conversation, config } = options;
    this.turn = new ClaudeTurn({
      sessionId: () => this.sessionId(),
      model: () => conversation.model ?? "",
      root: config.workspace,
      partial: config.claude.includePartialMessages || config.includePartial,
      write: (message) => this.stream && this.lines.write(message),
    });
  }

  async run(): Promise<number> {
    const { conversation, config, signal, permissions } = this.options;
    replaceSystemPrompt(conversation, config.claude.systemPrompt, config.claude.appendSystemPrompt);
    try {
      if (this.stream) {
        const tools = await conversation.toolNames();
        const mcpServers = mcpStatus(conversation);
        this.lines.write(claudeInit({ sessionId: this.sessionId(), model: conversation.model ?? "", cwd: config.workspace, tools, mcpServers, permissionMode: config.claude.permissionMode, version: this.options.version }));
      }
      const stop = await conversation.send(this.options.prompt, {
        signal,
        approve: this.options.approve,
        onEvent: (event) => {
          if (event.type === "tool_start") permissions?.noteToolStart(event.id);
          this.turn.handle(event);
        },
      });
      const error = stop === "max_steps" ? `Stopped after ${config.maxIterations} model calls (--max-turns).` : undefined;
      if (error) process.stderr.write(`${error}\n`);
      return await this.finish(stop, error);
    } catch (error) {
      if (signal.aborted) return this.finish("aborted");
      const message = (await describeError(error, { baseURL: config.baseURL, model: conversation.model, print: true })) ?? "The request failed.";
      process.stderr.write(`${message}\n`);
      return this.finish("error", message);
    }
  }

  /** A second interrupt: the result now, then a short wait for the reader. */
  async abandon(): Promise<void> {
    this.writeResult("aborted");
    await Promise.race([this.lines.drain(), new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  /** The process is exiting without its result: write it if it cannot overtake earlier lines. */
  atExit(): void {
    if (this.written) return;
    this.written = true;
    this.lines.writeSyncIfIdle(this.turn.result("error", { error: "mini-claude stopped unexpectedly." }));
  }

  private async finish(stop: StopReason | "error", error?: string): Promise<number> {
    this.writeResult(stop, error);
    await this.lines.drain();
    return EXIT_CODES[stop];
  }

  private writeResult(stop: StopReason | "error", error?: string): void {
    if (this.written) return;
    this.written = true;
    this.turn.end();
    this.lines.write(this.turn.result(stop, { error, denials: this.options.permissions?.denials ?? [] }));
  }

  private sessionId(): string {
    return this.options.sessionId() ?? this.fallbackId;
  }
}
