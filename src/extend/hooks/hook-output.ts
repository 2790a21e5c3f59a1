import type { HookEvent } from "./settings.js";

/**
 * What one hook's exit-0 stdout says, read as Claude Code reads it: a JSON object with
 * `decision` ("block", or PreToolUse's legacy "approve"), `reason`, `continue: false` and
 * `stopReason`, `systemMessage` (a line for the person), and `hookSpecificOutput` with
 * PreToolUse's `permissionDecision` (allow / deny / ask), `permissionDecisionReason` and
 * `updatedInput`, PermissionRequest's `decision: {behavior, message, updatedInput}`, and
 * `additionalContext`. Plain text is context for the model after UserPromptSubmit and SessionStart.
 */

/** What the hooks of one event decided. */
export interface HookDecision {
  /** A hook blocked (exit 2, "block", "deny", continue:false, or a guard that could not run): why, for the model or the person. */
  block?: string;
  /** Text the hooks want the model to see (UserPromptSubmit, SessionStart; PostToolUse feedback). */
  context?: string;
  /** PreToolUse / PermissionRequest: allow (no question) or ask (the person decides); a deny is `block`. */
  permission?: "allow" | "ask";
  /** The reason given with `permission` (permissionDecisionReason), shown with ask's question. */
  reason?: string;
  /** Arguments to run instead, in Claude Code's tool_input shape (PreToolUse, PermissionRequest allow). */
  updatedInput?: Record<string, unknown>;
  /** systemMessage: a line for the person, never the model. */
  message?: string;
}

/** Contract: never throws; stdout that is not a JSON object is plain text. */
export function readHookOutput(event: HookEvent, stdout: string): HookDecision {
  if (!stdout) return {};
  if (stdout.startsWith("{")) {
    try {
      return fromJson(event, JSON.parse(stdout) as Record<string, any>);
    } catch {
      // Not JSON after all: treated as text below.
    }
  }
  return event === "UserPromptSubmit" || event === "SessionStart" ? { context: stdout } : {};
}

function fromJson(event: HookEvent, json: Record<string, any>): HookDecision {
  const specific = (typeof json.hookSpecificOutput === "object" && json.hookSpecificOutput) || {};
  const asked = (typeof specific.decision === "object" && specific.decision) || {};
  const reason = text(json.reason) ?? text(specific.permissionDecisionReason) ?? text(asked.message) ?? text(json.stopReason);
  const out: HookDecision = {};
  if (text(json.systemMessage)) out.message = text(json.systemMessage);
  if (json.decision === "block" || json.continue === false || specific.permissionDecision === "deny" || asked.behavior === "deny") {
    return { ...out, block: reason ?? `blocked by a ${event} hook` };
  }
  if (specific.permissionDecision === "ask") Object.assign(out, { permission: "ask", reason });
  else if (specific.permissionDecision === "allow" || json.decision === "approve" || asked.behavior === "allow") Object.assign(out, { permission: "allow", reason });
  const updated = specific.updatedInput ?? asked.updatedInput;
  if (typeof updated === "object" && updated !== null && !Array.isArray(updated)) out.updatedInput = updated;
  if (typeof specific.additionalContext === "string" && specific.additionalContext) out.context = specific.additionalContext;
  return out;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}
