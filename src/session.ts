import type OpenAI from "openai";
import type { AgentEvent, StopReason } from "./agent.js";
import type { Config } from "./config.js";
import type { Message } from "./history.js";
import { redactSecrets } from "./secrets.js";
import type { Usage } from "./stream.js";
import { loadProjectInstructions, systemPrompt, type ProjectInstructions } from "./system-prompt.js";
import type { ToolContext } from "./tools/index.js";

export interface SessionOptions {
  config: Config;
  toolContext: Omit<ToolContext, "signal">;
  /** Messages from an earlier session (already repaired), without the system message. */
  history?: Message[];
  /** Called with every message the moment it joins the history (the transcript). */
  onMessage?: (message: Message) => void;
  /** Called by clear(): the caller starts a new transcript. */
  onClear?: () => void;
  /** Notices to give the model at the start of its next turn (e.g. a background job exited). */
  pendingNotices?: () => string[];
}

/**
 * One conversation: the history, the model in use and token totals. The REPL and --print both
 * drive it; neither touches the loop or the client directly.
 */
export class Session {
  readonly messages: Message[];
  readonly instructions?: ProjectInstructions;
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  model?: string;
  private client?: OpenAI;

  constructor(private readonly options: SessionOptions) {
    this.model = options.config.model;
    this.instructions = loadProjectInstructions(options.config.workspace);
    this.messages = [this.systemMessage(), ...(options.history ?? [])];
  }

  /** Run one request to the end. API errors reject; the history is valid either way. */
  async send(prompt: string, signal: AbortSignal, onEvent?: (event: AgentEvent) => void): Promise<StopReason> {
    // The loop, the tools and the client load here, at the first request, not at start-up.
    const [{ runAgent }, client] = await Promise.all([import("./agent.js"), this.getClient()]);
    if (!this.model) {
      onEvent?.({ type: "request", step: 0 });
      this.model = await firstModel(client, signal, this.options.config.baseURL);
    }
    const model = this.model;
    // Job notices quote a job's output, which may have printed the key.
    const notices = (this.options.pendingNotices?.() ?? []).map(redactSecrets);
    const content = notices.length ? `${notices.join("\n")}\n\n${prompt}` : prompt;
    this.append({ role: "user", content });
    return runAgent({
      client,
      model,
      messages: this.messages,
      toolContext: { ...this.options.toolContext, signal },
      signal,
      maxSteps: this.options.config.maxIterations,
      streamIdleMs: this.options.config.streamIdleMs,
      onMessage: (message) => this.options.onMessage?.(message),
      onEvent: (event) => {
        if (event.type === "usage") {
          this.usage.inputTokens += event.usage.inputTokens;
          this.usage.outputTokens += event.usage.outputTokens;
        }
        onEvent?.(event);
      },
    });
  }

  /** Load the loop, tools and client in the background while the person types the first request. */
  warmUp(): void {
    void import("./agent.js").catch(() => undefined);
    void this.getClient().catch(() => undefined);
  }

  /** Forget the conversation but keep the system prompt (and the background jobs). */
  clear(): void {
    this.messages.splice(0, this.messages.length, this.systemMessage());
    this.options.onClear?.();
  }

  private append(message: Message): void {
    this.messages.push(message);
    this.options.onMessage?.(message);
  }

  private systemMessage(): Message {
    return { role: "system", content: systemPrompt({ root: this.options.config.workspace, instructions: this.instructions }) };
  }

  private async getClient(): Promise<OpenAI> {
    const { createClient } = await import("./llm.js");
    this.client ??= await createClient(this.options.config);
    return this.client;
  }
}

/** A local server configured without a model name: use the first model it serves. */
async function firstModel(client: OpenAI, signal: AbortSignal, baseURL?: string): Promise<string> {
  const page = await client.models.list({ signal });
  const first = page.data[0]?.id;
  if (!first) throw new Error(`The server at ${baseURL} lists no models; pass --model NAME.`);
  return first;
}
