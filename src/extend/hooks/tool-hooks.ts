import { fromClaudeInput, toClaudeInput, toClaudeName, toClaudeResponse } from "../../claude-names.js";
import { redactSecrets } from "../../secrets.js";
import { rejection, type Approval, type ApprovalRequest, type Prepared, type PreparedCall, type ToolContext, type ToolRegistry, type ToolResult } from "../../tools/index.js";
import type { Hooks } from "./hooks.js";

/**
 * The one seam between hooks and tools: a registry that runs PreToolUse hooks before each call,
 * PermissionRequest and Notification hooks at its approval question, and PostToolUse (or
 * PostToolUseFailure) hooks after it. The loop sees an ordinary registry, so every call is still
 * answered exactly once. Hooks see each call as Claude Code shows it (claude-names.ts): `Bash`
 * with `command`, `Read` with an absolute `file_path`, …; ours is beside it in
 * `mini_claude_tool_name` and `mini_claude_tool_input`.
 *
 * Contract: a denied call does not run and its observation is the hook's reason. "ask" puts the
 * call to the person (the REPL asks; --print refuses). "allow" marks the call's own approval
 * requests `allowedByHook`, which approval/decide.ts weighs: it answers a command that stays inside
 * the sandbox and an MCP call; deny and ask rules, leaving the sandbox (sandbox: false, the
 * network, a new domain), protected writes and dangerous shapes still refuse or ask. Hooks see the
 * arguments the registry parsed (a call it rejected never reaches them); `updatedInput` replaces
 * them, and the registry prepares the new call (the tool's schema checks it again). PostToolUse feedback (exit 2, "block", additionalContext) joins the observation.
 */
export function withHooks(registry: ToolRegistry, hooks: Hooks, cwd: string): ToolRegistry {
  return {
    ...registry,
    run: (call, ctx) => (CALL_EVENTS.some((event) => hooks.has(event, call.name)) || hooks.has("Notification") ? hookedCall(registry, hooks, cwd, call, ctx) : registry.run(call, ctx)),
  };
}

const CALL_EVENTS = ["PreToolUse", "PermissionRequest", "PostToolUse", "PostToolUseFailure"] as const;

async function hookedCall(registry: ToolRegistry, hooks: Hooks, cwd: string, call: PreparedCall, ctx: ToolContext): Promise<ToolResult> {
  const tool = call.name;
  let event = callEvent(call, call.input, cwd);
  const before = await hooks.run("PreToolUse", event, ctx.signal, tool);
  // Ctrl-C during a hook stops the call too: it must not run after the person said stop.
  if (ctx.signal.aborted) return interrupted(call);
  if (before.block !== undefined) return refused(call, `Error: a PreToolUse hook blocked this call: ${before.block}`, `blocked by hook: ${before.block}`);
  let run: Prepared = call;
  let args = call.input;
  if (before.updatedInput) {
    args = fromClaudeInput(tool, { ...(event.tool_input as object), ...before.updatedInput }, cwd);
    run = registry.prepare({ ...call, arguments: JSON.stringify(args) });
    event = callEvent(run, args, cwd);
  }
  const questions = (request: ApprovalRequest): ApprovalRequest => ({ ...request, beforeQuestion: (canAsk) => questionHooks(hooks, event, tool, canAsk, ctx.signal) });
  let allowed = before.permission === "allow";
  if (before.permission === "ask") {
    const reason = before.reason ?? "no reason given";
    const answer = await ctx.approve(questions({ kind: "hook", tool: String(event.tool_name), summary: run.label, reason }), ctx.signal);
    if (!answer.approved && (answer.interrupted || ctx.signal.aborted)) return interrupted(run);
    if (!answer.approved) {
      const why = answer.refused ?? answer.reason;
      const output = `Error: a PreToolUse hook required the user's approval for this call (${reason}), and it was not given${why ? `: ${why}` : "."}`;
      return refused(run, output, "not approved (a hook asked)");
    }
    allowed = true;
  }
  // The one decision still decides (approval/decide.ts): "allow" never opens the sandbox, and rules the person set come first.
  const approve = (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => ctx.approve(questions(allowed ? { ...request, allowedByHook: true } : request), signal);
  let result = "error" in run ? rejection(run) : await registry.run(run, { ...ctx, approve });
  if (result.interrupted) return result;
  if (run !== call && !result.ok) result = { ...result, output: `${result.output}\n(A PreToolUse hook changed this call's arguments to ${run.arguments}.)` };
  const after = result.ok
    ? await hooks.run("PostToolUse", { ...event, tool_response: toClaudeResponse(tool, args, result, cwd), mini_claude_tool_response: ourResponse(result) }, ctx.signal, tool)
    : await hooks.run("PostToolUseFailure", { ...event, error: result.output, is_interrupt: false, mini_claude_tool_response: ourResponse(result) }, ctx.signal, tool);
  const feedback = after.block ?? after.context;
  // A hook's words reach the model too, so the person's key is kept out of them as out of any observation.
  return feedback ? { ...result, output: redactSecrets(`${result.output}\n\n[${result.ok ? "PostToolUse" : "PostToolUseFailure"} hook: ${feedback}]`) } : result;
}

/** The fields every tool event carries: the call as Claude Code names it, and as we do. */
function callEvent(call: { id?: string; name: string }, args: unknown, cwd: string): Record<string, unknown> {
  return {
    tool_name: toClaudeName(call.name),
    tool_input: toClaudeInput(call.name, args, cwd),
    tool_use_id: call.id ?? null,
    mini_claude_tool_name: call.name,
    mini_claude_tool_input: args,
  };
}

/**
 * An approval question is about to reach the person (or be refused by --print): PermissionRequest
 * hooks may answer it; when nobody did and the person will be asked, Notification hooks hear that
 * a question waits (not awaited: a slow notifier must not hold the question back).
 */
async function questionHooks(hooks: Hooks, event: Record<string, unknown>, tool: string, canAsk: boolean, signal: AbortSignal): Promise<Approval | undefined> {
  const answer = await hooks.run("PermissionRequest", { ...event, permission_suggestions: [] }, signal, tool);
  if (answer.block !== undefined) return { approved: false, reason: `a PermissionRequest hook refused it: ${answer.block}` };
  if (answer.permission === "allow") return { approved: true };
  if (canAsk) {
    const message = `mini-claude needs your permission to use ${event.tool_name}`;
    void hooks.run("Notification", { message, notification_type: "permission_prompt" }, undefined, "permission_prompt");
  }
  return undefined;
}

function ourResponse(result: ToolResult): Record<string, unknown> {
  return { ok: result.ok, output: result.output, ...(result.exitCode === undefined ? {} : { exit_code: result.exitCode }) };
}

function refused(call: { label: string }, output: string, display: string): ToolResult {
  return { output: redactSecrets(output), ok: false, label: call.label, display: redactSecrets(display.split("\n", 1)[0]) };
}

function interrupted(call: { label: string }): ToolResult {
  return { output: "", ok: false, label: call.label, display: "interrupted", interrupted: true };
}
