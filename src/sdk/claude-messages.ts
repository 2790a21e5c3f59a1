import { randomUUID } from "node:crypto";
import type { AgentEvent, StopReason } from "../loop/agent.js";
import type { Conversation } from "../loop/conversation.js";
import type { Message } from "../model/history.js";
import type { Usage } from "../model/stream.js";
import { addUsage } from "../model/usage.js";
import { claudeToolInput, claudeToolName, parseArguments } from "./claude-names.js";

/**
 * Claude Code's stream-json messages, made from one turn's agent events: `assistant` messages in
 * the Anthropic Message shape (thinking, text and tool_use blocks), tool results as `user`
 * messages with tool_result blocks, `stream_event` deltas when asked, and the turn's `result`.
 * Used by the Agent SDK protocol (sdk-mode.ts) and by `-p --json-dialect claude` (claude-print.ts).
 */

export interface Denial {
  tool_name: string;
  tool_use_id: string;
  tool_input: Record<string, unknown>;
}

export interface ClaudeTurnOptions {
  sessionId: () => string;
  model: () => string;
  /** The conversation's history: an assistant message's tool calls are read from it once it is appended. */
  history: readonly Message[];
  /** Write `stream_event` deltas (--include-partial-messages). */
  partial: boolean;
  write: (message: object) => void;
}

type Block = Record<string, unknown>;

export class ClaudeTurn {
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  readonly started = performance.now();
  /** Model calls made. */
  steps = 0;
  /** The final answer, once there is one. */
  answer = "";
  private apiMs = 0;
  private requestAt?: number;
  private thinking = "";
  private stepUsage?: Usage;
  /** An assistant message whose tool calls join it at the next event (the loop appends it right after assistant_end). */
  private pending?: { text: string; thinking: string; calls: number; usage?: Usage };
  private streaming = false;

  constructor(private readonly options: ClaudeTurnOptions) {}

  handle(event: AgentEvent): void {
    if (this.pending) this.flush();
    switch (event.type) {
      case "request":
        // Counted, not copied: a turn a Stop hook continues sends again, and its steps count on.
        if (event.step > 0) this.steps++;
        this.requestAt = performance.now();
        this.thinking = "";
        this.stepUsage = undefined;
        return;
      case "reasoning":
        this.thinking += event.delta;
        return this.delta({ type: "thinking_delta", thinking: event.delta });
      case "text":
        return this.delta({ type: "text_delta", text: event.delta });
      case "usage":
        addUsage(this.usage, event.usage);
        this.stepUsage = event.usage;
        return;
      case "assistant_end":
        if (this.requestAt !== undefined) this.apiMs += performance.now() - this.requestAt;
        this.requestAt = undefined;
        this.endStream();
        if (!event.toolCalls) this.answer = event.text;
        this.pending = { text: event.text, thinking: this.thinking, calls: event.toolCalls ?? 0, usage: this.stepUsage };
        if (!event.toolCalls) this.flush();
        return;
      case "tool_end":
        this.options.write({
          type: "user",
          message: { role: "user", content: [{ type: "tool_result", tool_use_id: event.id, content: event.output, is_error: !event.ok }] },
          parent_tool_use_id: null,
          session_id: this.options.sessionId(),
          uuid: randomUUID(),
        });
        return;
      default:
        return;
    }
  }

  /** The turn is over: whatever is still pending is written. */
  end(): void {
    if (this.pending) this.flush();
    this.endStream();
  }

  /** The turn's `result` message, in Claude Code's shape. */
  result(stop: StopReason | "error", options: { error?: string; denials?: Denial[] } = {}): Record<string, unknown> {
    const subtype = stop === "done" || stop === "cut" ? "success" : stop === "max_steps" ? "error_max_turns" : "error_during_execution";
    const isError = subtype !== "success";
    const error = options.error ?? (stop === "aborted" ? "Interrupted by the user." : undefined);
    const model = this.options.model();
    const usage = claudeUsage(this.usage);
    return {
      type: "result",
      subtype,
      is_error: isError,
      duration_ms: Math.round(performance.now() - this.started),
      duration_api_ms: Math.round(this.apiMs),
      num_turns: this.steps,
      result: this.answer,
      stop_reason: STOP_REASONS[stop],
      total_cost_usd: this.usage.cost ?? 0,
      usage,
      modelUsage: {
        [model]: {
          inputTokens: usage.input_tokens,
          outputTokens: usage.output_tokens,
          cacheReadInputTokens: usage.cache_read_input_tokens,
          cacheCreationInputTokens: 0,
          webSearchRequests: 0,
          costUSD: this.usage.cost ?? 0,
          contextWindow: 0,
          maxOutputTokens: 0,
        },
      },
      permission_denials: options.denials ?? [],
      ...(isError ? { errors: error ? [error] : [] } : {}),
      terminal_reason: TERMINAL_REASONS[stop],
      uuid: randomUUID(),
      session_id: this.options.sessionId(),
    };
  }

  private flush(): void {
    const pending = this.pending!;
    this.pending = undefined;
    // A reply with calls is in the history by now; one without is written at once (and is not there yet).
    const last = pending.calls ? lastAssistant(this.options.history) : undefined;
    const calls = last && "tool_calls" in last && last.tool_calls ? last.tool_calls : [];
    const content: Block[] = [];
    if (pending.thinking) content.push({ type: "thinking", thinking: pending.thinking, signature: "" });
    if (pending.text) content.push({ type: "text", text: pending.text });
    for (const call of calls) {
      if (call.type !== "function") continue;
      const input = claudeToolInput(call.function.name, parseArguments(call.function.arguments));
      content.push({ type: "tool_use", id: call.id, name: claudeToolName(call.function.name), input });
    }
    if (!content.length) return;
    this.options.write({
      type: "assistant",
      message: {
        id: `msg_${randomUUID().replace(/-/g, "")}`,
        type: "message",
        role: "assistant",
        model: this.options.model(),
        content,
        stop_reason: calls.length ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: claudeUsage(pending.usage ?? { inputTokens: 0, outputTokens: 0 }),
      },
      parent_tool_use_id: null,
      session_id: this.options.sessionId(),
      uuid: randomUUID(),
    });
  }

  /** One `stream_event` per delta, inside a message_start … message_stop frame, as the Messages API streams. */
  private delta(delta: Block): void {
    if (!this.options.partial) return;
    if (!this.streaming) {
      this.streaming = true;
      this.event({ type: "message_start", message: { id: `msg_${randomUUID().replace(/-/g, "")}`, type: "message", role: "assistant", model: this.options.model(), content: [], stop_reason: null, usage: claudeUsage({ inputTokens: 0, outputTokens: 0 }) } });
    }
    this.event({ type: "content_block_delta", index: 0, delta });
  }

  private endStream(): void {
    if (!this.streaming) return;
    this.streaming = false;
    this.event({ type: "message_stop" });
  }

  private event(event: Block): void {
    this.options.write({ type: "stream_event", event, parent_tool_use_id: null, session_id: this.options.sessionId(), uuid: randomUUID() });
  }
}

function lastAssistant(history: readonly Message[]): Message | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i].role === "assistant") return history[i];
  return undefined;
}

const STOP_REASONS: Record<StopReason | "error", string | null> = { done: "end_turn", cut: "max_tokens", max_steps: "tool_use", aborted: null, error: null };
const TERMINAL_REASONS: Record<StopReason | "error", string> = { done: "completed", cut: "completed", max_steps: "max_turns", aborted: "aborted_streaming", error: "api_error" };

/** Anthropic's usage fields: input_tokens does not count what the cache served. */
export function claudeUsage(usage: Usage) {
  const cached = usage.cachedInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cached),
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
  };
}

/** The `system/init` message: the session, its tools under Claude's names, the model and the permission mode. */
export function claudeInit(options: { sessionId: string; model: string; cwd: string; tools: string[]; mcpServers: { name: string; status: string }[]; permissionMode: string; version: string }): object {
  return {
    type: "system",
    subtype: "init",
    cwd: options.cwd,
    session_id: options.sessionId,
    tools: options.tools.map(claudeToolName),
    mcp_servers: options.mcpServers,
    model: options.model,
    permissionMode: options.permissionMode,
    slash_commands: [],
    apiKeySource: "none",
    claude_code_version: options.version,
    output_style: "default",
    agents: [],
    skills: [],
    plugins: [],
    uuid: randomUUID(),
  };
}

/** The MCP servers in Claude's words: pending until the first request starts them. */
export function mcpStatus(conversation: Conversation): { name: string; status: string }[] {
  const words: Record<string, string> = { ready: "connected", failed: "failed", crashed: "failed", "not approved": "failed" };
  return (conversation.mcp?.servers ?? []).map((server) => ({ name: server.name, status: words[server.state] ?? "pending" }));
}
