import { randomUUID } from "node:crypto";
import type { AgentEvent, StopReason } from "../loop/agent.js";
import type { Conversation } from "../loop/conversation.js";
import type { Usage } from "../model/usage.js";
import { addUsage } from "../model/usage.js";
import { toClaudeInput, toClaudeName } from "../claude-names.js";

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
  /** The workspace: Claude's tool inputs carry absolute paths. */
  root: string;
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
  private streaming = false;

  constructor(private readonly options: ClaudeTurnOptions) {}

  handle(event: AgentEvent): void {
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
        // A subagent's call counts in the turn's total, not in the parent's message it runs under.
        if (!event.subagent) this.stepUsage = event.usage;
        return;
      case "assistant_end":
        if (this.requestAt !== undefined) this.apiMs += performance.now() - this.requestAt;
        this.requestAt = undefined;
        this.endStream();
        if (!event.toolCalls) this.answer = event.text;
        this.writeAssistant(event.text, event.calls ?? []);
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

  /** One model call's message: its thinking, its text and its tool calls (their arguments as the registry parsed them). */
  private writeAssistant(text: string, calls: NonNullable<Extract<AgentEvent, { type: "assistant_end" }>["calls"]>): void {
    const content: Block[] = [];
    if (this.thinking) content.push({ type: "thinking", thinking: this.thinking, signature: "" });
    if (text) content.push({ type: "text", text });
    for (const call of calls) content.push({ type: "tool_use", id: call.id, name: toClaudeName(call.name), input: toClaudeInput(call.name, call.input, this.options.root) });
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
        usage: claudeUsage(this.stepUsage ?? { inputTokens: 0, outputTokens: 0 }),
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
    tools: options.tools.map(toClaudeName),
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
