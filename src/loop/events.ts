import type { Usage } from "../model/usage.js";
import type { HistoryEvent } from "../session/transcript.js";
import type { FileDiff } from "../tools/index.js";

/**
 * What a conversation tells its listeners, on one sink: the loop's progress for the person
 * (text, tool calls, notices) and every change to the history, each message once (the session
 * transcript records those). Terminal modes, the SDK and tests only listen.
 */
export type AgentEvent =
  | HistoryEvent
  | { type: "request"; step: number }
  | { type: "text"; delta: string }
  /** Reasoning the model streams before its answer: for a dim indicator, never as answer text. */
  | { type: "reasoning"; delta: string }
  /** Something the person should know that is not the model's text ("compacted: …", a cut reply); "job": a background job ended. */
  | { type: "notice"; text: string; kind?: "job" }
  /**
   * One model call's text; `toolCalls` says how many calls came with it (0: the final answer), and
   * `calls` are they, their arguments as the registry parsed them (`input`: undefined when not JSON).
   */
  | { type: "assistant_end"; text: string; toolCalls?: number; calls?: { id: string; name: string; input?: unknown }[] }
  | {
      type: "tool_start";
      id: string;
      name: string;
      label: string;
      /** The raw JSON arguments as sent. */
      arguments?: string;
      /** The arguments parsed once by the registry; undefined when they are not JSON. */
      input?: unknown;
    }
  | {
      type: "tool_end";
      id: string;
      name: string;
      label: string;
      ok: boolean;
      output: string;
      diff?: FileDiff;
      /** The outcome in one line for the person. */
      display: string;
      /** A few lines for the person under the outcome (output tail, the rest of an error). */
      details?: string;
      /** A foreground command's exit code, when it ran to its end. */
      exitCode?: number;
    }
  /** A running call's latest output ("" when it starts running), for a live line. */
  | { type: "tool_progress"; id: string; text: string }
  /** One model call's tokens; `subagent` when a subagent made it: the `agent` call (`id`) that ran it and the agent's name. */
  | { type: "usage"; usage: Usage; subagent?: { id: string; agent: string } }
  /** A subagent's tool call ended, for the person's folded block and /expand; it never enters any history. */
  | { type: "subagent_tool"; /** The parent's `agent` call. */ id: string; /** Its description, the block's header. */ description: string; label: string; ok: boolean; display: string }
  /** The client is sending a request again after a 429, a 5xx or a dropped connection. */
  | { type: "retry"; attempt: number };

export type Listener = (event: AgentEvent) => void;

/**
 * The one sink. Contract: `emit` never throws: a listener that fails is skipped for that event,
 * so a display bug can never leave a tool call unanswered.
 */
export class EventSink {
  private readonly listeners = new Set<Listener>();

  /** Returns the call that stops listening. */
  subscribe(listener: Listener): () => void {
    const entry: Listener = (event) => listener(event);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  emit = (event: AgentEvent): void => {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // ignored on purpose; see the contract
      }
    }
  };
}
