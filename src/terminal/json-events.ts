import type { AgentEvent } from "../loop/agent.js";
import type { Usage } from "../model/usage.js";
import type { PermissionMode } from "../config/claude-flags.js";
import { spillPathIn } from "../tools/spill.js";
import { renderDiff } from "./render/diff.js";
import type { JsonUsageBySource } from "./json-ledger.js";

/**
 * The machine-readable events of `--print --output-format json|stream-json`: their shapes and
 * how an agent event becomes one. schema/print-events.schema.json describes every shape and
 * carries SCHEMA_VERSION; a test fails when a shape changes without the version changing.
 * Fields are only ever added (optional) within a version; renaming or removing one is a new version.
 */
export const SCHEMA_VERSION = 2;

/** Why the run ended: the model answered, the step fuse tripped, the person stopped it, the endpoint failed, or the answer was cut. */
export type ResultReason = "completed" | "max_turns" | "aborted" | "provider_error" | "length";

export interface JsonUsage {
  input_tokens: number;
  output_tokens: number;
  /** Only when the provider reports it. */
  cached_input_tokens?: number;
}

export interface ResultEvent {
  type: "result";
  schema_version: number;
  is_error: boolean;
  reason: ResultReason;
  /** The final answer ("" when there was none). */
  result: string;
  /** The person's one line for what went wrong, when something did. */
  error?: string;
  /** Model calls made. */
  turns: number;
  usage: JsonUsage;
  /** Only when the provider reports it (OpenRouter's usage.cost), summed over the calls. */
  cost?: number;
  duration_ms: number;
  /** For --resume; null when the session could not be recorded. */
  session_id: string | null;
  /** Paths the tools wrote or edited, in the order first changed. */
  files_changed: string[];
  /** The last request's tokens by source (json-ledger.ts); absent when no request was sent. */
  usage_by_source?: JsonUsageBySource;
}

export interface InitEvent {
  type: "init";
  schema_version: number;
  session_id: string | null;
  model: string | null;
  endpoint_host: string;
  context_window: number;
  tools: string[];
  /** Claude Code's permission mode (--permission-mode); since schema 2. */
  permission_mode: PermissionMode;
}

export type StreamEvent =
  | InitEvent
  | { type: "text_delta"; step: number; text: string }
  | { type: "reasoning_delta"; step: number; text: string }
  | { type: "assistant"; step: number; phase: "commentary" | "final"; text: string }
  | { type: "tool_call"; step: number; id: string; name: string; label: string; input: unknown }
  | { type: "tool_result"; step: number; id: string; name: string; ok: boolean; display: string; output: string; exit_code?: number; spill_path?: string }
  | { type: "file_change"; step: number; tool_call_id: string; path: string; diff: string }
  | { type: "usage"; step: number; usage: JsonUsage; cost?: number; usage_by_source?: JsonUsageBySource }
  | { type: "compaction"; step: number; text: string }
  | { type: "retry"; step: number; attempt: number }
  | { type: "background_job"; step: number; text: string }
  | { type: "notice"; step: number; text: string }
  | ResultEvent;

/** A diff whole enough for a script (the person's view stops at 40 lines). */
const DIFF_MAX_LINES = 5000;

/**
 * Contract: the stream events for one agent event (none for those a script has no use for);
 * deltas only with `partial`. Never throws on odd input: arguments that are not JSON are given as the raw text.
 */
export function streamEventsFor(event: AgentEvent, step: number, partial: boolean): StreamEvent[] {
  switch (event.type) {
    case "text":
      return partial ? [{ type: "text_delta", step, text: event.delta }] : [];
    case "reasoning":
      return partial ? [{ type: "reasoning_delta", step, text: event.delta }] : [];
    case "assistant_end":
      if (!event.text) return [];
      return [{ type: "assistant", step, phase: event.toolCalls ? "commentary" : "final", text: event.text }];
    case "tool_start":
      return [{ type: "tool_call", step, id: event.id, name: event.name, label: event.label, input: event.input ?? event.arguments ?? {} }];
    case "tool_end": {
      const spill = spillPathIn(event.output);
      const result: StreamEvent = {
        type: "tool_result",
        step,
        id: event.id,
        name: event.name,
        ok: event.ok,
        display: event.display,
        output: event.output,
        ...(event.exitCode === undefined ? {} : { exit_code: event.exitCode }),
        ...(spill ? { spill_path: spill } : {}),
      };
      if (!event.diff) return [result];
      const { path, before, after } = event.diff;
      const diff = renderDiff(before, after, path, { color: false, maxLines: DIFF_MAX_LINES });
      return [result, { type: "file_change", step, tool_call_id: event.id, path, diff }];
    }
    case "usage":
      return [{ type: "usage", step, usage: jsonUsage(event.usage), ...(event.usage.cost === undefined ? {} : { cost: event.usage.cost }) }];
    case "retry":
      return [{ type: "retry", step, attempt: event.attempt }];
    case "notice":
      if (event.kind === "job") return [{ type: "background_job", step, text: event.text }];
      // context.ts words every compaction "compacted: …".
      if (event.text.startsWith("compacted")) return [{ type: "compaction", step, text: event.text }];
      return [{ type: "notice", step, text: event.text }];
    default:
      return [];
  }
}

export function jsonUsage(usage: Usage): JsonUsage {
  const out: JsonUsage = { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
  if (usage.cachedInputTokens !== undefined) out.cached_input_tokens = usage.cachedInputTokens;
  return out;
}
