import type { ToolResult } from "../tools/index.js";
import type { ClaudeCall, ToolHooks } from "./permissions.js";

/**
 * The hooks an Agent SDK program registers in code (`options.hooks`): the initialize request names
 * each callback by id per event and matcher, and a `hook_callback` control request runs one in the
 * SDK's process. PreToolUse (allow, deny, ask, updatedInput), PostToolUse (additionalContext, a
 * block reason, both given to the model), UserPromptSubmit (block, additionalContext) and Stop (a
 * block's reason sends the model on) run here;
 * other events are named once as never run.
 */

interface Matcher {
  matcher?: string;
  hookCallbackIds: string[];
}

type Ask = (request: Record<string, unknown>, signal?: AbortSignal) => Promise<Record<string, unknown>>;

export const HOOK_EVENTS_RUN = ["PreToolUse", "PostToolUse", "UserPromptSubmit", "Stop"];

export class HostHooks implements ToolHooks {
  constructor(
    private readonly registered: Record<string, Matcher[]>,
    private readonly ask: Ask,
    /** The fields every hook input carries: session_id, transcript_path, cwd, permission_mode. */
    private readonly common: () => Record<string, unknown>,
  ) {}

  /** Events registered that mini-claude does not run, to name once. */
  ignoredEvents(): string[] {
    return Object.keys(this.registered).filter((event) => !HOOK_EVENTS_RUN.includes(event));
  }

  has(event: string, tool: string): boolean {
    return this.callbacks(event, tool).length > 0;
  }

  async preToolUse(call: ClaudeCall, signal: AbortSignal) {
    const outputs = await this.run("PreToolUse", call, {}, signal);
    let decision: "allow" | "deny" | "ask" | undefined;
    let reason: string | undefined;
    let updatedInput: Record<string, unknown> | undefined;
    for (const output of outputs) {
      const specific = (output.hookSpecificOutput ?? {}) as Record<string, unknown>;
      const said = specific.permissionDecision ?? (output.decision === "block" ? "deny" : output.decision === "approve" ? "allow" : undefined);
      // The strictest answer wins: deny over ask over allow.
      if (said === "deny" || (said === "ask" && decision !== "deny") || (said === "allow" && !decision)) {
        decision = said;
        reason = String(specific.permissionDecisionReason ?? output.reason ?? "") || undefined;
      }
      if (isObject(specific.updatedInput)) updatedInput = specific.updatedInput;
    }
    return { decision, reason, updatedInput };
  }

  async postToolUse(call: ClaudeCall, result: ToolResult, signal: AbortSignal): Promise<string | undefined> {
    const outputs = await this.run("PostToolUse", call, { tool_response: { output: result.output, is_error: !result.ok } }, signal);
    const notes = outputs.flatMap((output) => {
      const specific = (output.hookSpecificOutput ?? {}) as Record<string, unknown>;
      return [output.decision === "block" ? output.reason : undefined, specific.additionalContext].filter((text): text is string => typeof text === "string" && text !== "");
    });
    return notes.length ? notes.join("\n") : undefined;
  }

  /** UserPromptSubmit: a block stops the turn before the model is asked; additionalContext goes before the prompt. */
  async promptSubmit(prompt: string, signal: AbortSignal): Promise<{ blocked?: string; context?: string }> {
    const input = { ...this.common(), hook_event_name: "UserPromptSubmit", prompt };
    const contexts: string[] = [];
    for (const id of (this.registered.UserPromptSubmit ?? []).flatMap((m) => m.hookCallbackIds)) {
      const output: Record<string, unknown> = await this.ask({ subtype: "hook_callback", callback_id: id, input }, signal).catch((error: Error) => ({
        decision: "block",
        reason: `the hook callback failed: ${error.message}`,
      }));
      const specific = (output.hookSpecificOutput ?? {}) as Record<string, unknown>;
      if (output.decision === "block" || output.continue === false) return { blocked: String(output.reason ?? output.stopReason ?? "a UserPromptSubmit hook blocked the prompt") };
      if (typeof specific.additionalContext === "string" && specific.additionalContext) contexts.push(specific.additionalContext);
    }
    return contexts.length ? { context: contexts.join("\n") } : {};
  }

  /** Stop: the reason of the first callback that blocks (the model is sent on with it), else undefined. */
  async stop(active: boolean, signal: AbortSignal): Promise<string | undefined> {
    const input = { ...this.common(), hook_event_name: "Stop", stop_hook_active: active };
    for (const id of (this.registered.Stop ?? []).flatMap((m) => m.hookCallbackIds)) {
      const output: Record<string, unknown> = await this.ask({ subtype: "hook_callback", callback_id: id, input }, signal).catch(() => ({}));
      if (output.decision === "block") return String(output.reason ?? "continue");
    }
    return undefined;
  }

  private callbacks(event: string, tool: string): string[] {
    return (this.registered[event] ?? []).filter((m) => matches(m.matcher, tool)).flatMap((m) => m.hookCallbackIds);
  }

  private async run(event: string, call: ClaudeCall, extra: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>[]> {
    const input = { ...this.common(), hook_event_name: event, tool_name: call.name, tool_input: call.input, tool_use_id: call.id, ...extra };
    const outputs: Record<string, unknown>[] = [];
    for (const id of this.callbacks(event, call.name)) {
      // A callback that fails is a visible refusal, never a silent pass.
      const output = await this.ask({ subtype: "hook_callback", callback_id: id, input, tool_use_id: call.id }, signal).catch((error: Error) =>
        event === "PreToolUse" ? { decision: "block", reason: `the hook callback failed: ${error.message}` } : {},
      );
      outputs.push(output);
    }
    return outputs;
  }
}

/** Claude Code's matcher: absent, "" or "*" for every tool, else a tool name or a regex over names ("Edit|Write"). */
function matches(matcher: string | undefined, tool: string): boolean {
  if (!matcher || matcher === "*") return true;
  try {
    return new RegExp(`^(?:${matcher})$`).test(tool);
  } catch {
    return matcher === tool;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
