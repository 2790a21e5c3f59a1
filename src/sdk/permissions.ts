import { rejection, type Approval, type ApprovalRequest, type Prepared, type PreparedCall, type ToolCallRequest, type ToolContext, type ToolRegistry, type ToolResult } from "../tools/index.js";
import type { ClaudeOptions } from "../config/claude-flags.js";import type { Denial } from "./claude-messages.js";
import { claudeNamesOf, fromClaudeInput, toClaudeInput, toClaudeName } from "../claude-names.js";

/**
 * Claude Code's tool layer over mini-claude's tools. It decides nothing about running a call:
 * --allowedTools, --disallowedTools and --permission-mode are rules and a mode of the one approval
 * decision (approval/decide.ts). Here: `--tools` and bare `--disallowedTools` names leave the
 * model's list; the Agent SDK's PreToolUse / PostToolUse callbacks run around each call; each
 * approval request carries the call as Claude names it (for can_use_tool) and the hook's verdict;
 * refused calls are listed for the result's permission_denials; an input the host changed runs.
 */

/** A call as a Claude-format consumer sees it, handed to the mode's approval beside the request. */
export interface ClaudeCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/**
 * A request as this layer hands it to the mode's approval: `claudeCall()` once the call's line is
 * shown (its id known). The PreToolUse verdict travels as the request's `hostHook`, which the one
 * decision weighs (approval/decide.ts).
 */
export type ClaudeApprovalRequest = ApprovalRequest & { claudeCall?: () => Promise<ClaudeCall> };

/** What the host may answer beyond yes or no: the call's input, changed. */
export type HostApproval = Approval & { updatedInput?: Record<string, unknown> };

/** PreToolUse / PostToolUse callbacks the SDK registered (host-hooks.ts). */
export interface ToolHooks {
  has(event: string, tool: string): boolean;
  preToolUse(call: ClaudeCall, signal: AbortSignal): Promise<{ decision?: "allow" | "deny" | "ask"; reason?: string; updatedInput?: Record<string, unknown> }>;
  postToolUse(call: ClaudeCall, result: ToolResult, signal: AbortSignal): Promise<string | undefined>;
}

export class ClaudePermissions {
  /** Calls refused this turn, for the result's permission_denials. */
  denials: Denial[] = [];
  hooks?: ToolHooks;
  private readonly ids = new ShownCalls();

  constructor(private readonly claude: ClaudeOptions) {}

  /** The loop showed a call (its tool_start): the hooks about it may go ahead. */
  noteToolStart(id: string): void {
    this.ids.started(id);
  }

  wrap(inner: ToolRegistry): ToolRegistry {
    return {
      specs: () => inner.specs().filter((spec) => this.offered((spec as { function: { name: string } }).function.name)),
      prepare: (call) => this.prepare(inner, call),
      run: (call, ctx) => this.run(inner, call, ctx),
    };
  }

  /** A tool left out of the model's list is not run even when the model names it. */
  private prepare(inner: ToolRegistry, call: ToolCallRequest): Prepared {
    const prepared = inner.prepare(call);
    if (this.offered(call.name)) return prepared;
    return { ...call, input: prepared.input, label: prepared.label, error: `Error: ${call.name} is not available in this session (--tools / --disallowedTools).` };
  }

  /** Whether the model is offered the tool `ours` at all. */
  offered(ours: string): boolean {
    // Claude Code's older names count too: `Task` is Agent, `MultiEdit` is Edit.
    const names = [toClaudeName(ours), ...claudeNamesOf(ours)];
    const named = (rule: string) => names.some((claude) => nameMatches(rule, claude));
    if (this.claude.tools && !this.claude.tools.some(named)) return false;
    return !this.claude.disallowedTools.some((rule) => !rule.includes("(") && named(rule));
  }

  private async run(inner: ToolRegistry, original: PreparedCall, ctx: ToolContext): Promise<ToolResult> {
    let call: Prepared = original;
    const name = toClaudeName(call.name);
    let input = toClaudeInput(call.name, call.input, ctx.root);
    const label = call.label;
    let idLookup: Promise<string> | undefined;
    // The first asker decides whether to wait for the call's line (a hook) or not (a question, asked once it is shown).
    const idOf = (wait: boolean) => (idLookup ??= this.ids.idFor(original, wait));
    // Another input runs as a new call, prepared again (the tool's schema checks it).
    const withInput = (changed: Record<string, unknown>) => inner.prepare({ name: original.name, arguments: JSON.stringify(fromClaudeInput(original.name, changed, ctx.root)) });
    let hostHook: ApprovalRequest["hostHook"];
    if (this.hooks?.has("PreToolUse", name)) {
      const claudeCall = { id: await idOf(true), name, input };
      const verdict = await this.hooks.preToolUse(claudeCall, ctx.signal);
      if (verdict.decision === "deny") return this.deny(label, claudeCall, `Error: a PreToolUse hook refused this call${verdict.reason ? `: ${verdict.reason}` : "."}`);
      if (verdict.updatedInput) {
        input = verdict.updatedInput;
        call = withInput(input);
      }
      if (verdict.decision === "allow" || verdict.decision === "ask") hostHook = verdict.decision;
    }
    let replacement: Record<string, unknown> | undefined;
    const approve = async (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => {
      const claudeCall = async () => {
        await request.shown;
        return { id: await idOf(false), name, input };
      };
      const answer: HostApproval = await ctx.approve({ ...request, claudeCall, hostHook } as ClaudeApprovalRequest, signal);
      if (!answer.approved) {
        this.denials.push(denial(await claudeCall()));
        return answer;
      }
      if (answer.updatedInput && JSON.stringify(answer.updatedInput) !== JSON.stringify(input)) {
        // Approved with other input: this run stops at its question, before acting, and the call runs again with it.
        replacement = answer.updatedInput;
        return { approved: false, reason: "replaced by the host's input" };
      }
      return { approved: true };
    };
    const runCall = (prepared: Prepared) => ("error" in prepared ? Promise.resolve(rejection(prepared)) : inner.run(prepared, { ...ctx, approve }));
    let result = await runCall(call);
    if (replacement) {
      input = replacement;
      call = withInput(input);
      // The host approved this input: what the decision would ask about it runs; its refusals stand.
      hostHook = "allow";
      result = await runCall(call);
    }
    if (this.hooks?.has("PostToolUse", name)) {
      const note = await this.hooks.postToolUse({ id: await idOf(true), name, input }, result, ctx.signal);
      if (note) result = { ...result, output: `${result.output}\n\n${note}` };
    }
    return result;
  }

  private deny(label: string, call: ClaudeCall, message: string): ToolResult {
    this.denials.push(denial(call));
    return refused(label, message);
  }
}

function denial(call: ClaudeCall): Denial {
  return { tool_name: call.name, tool_use_id: call.id, tool_input: call.input };
}

function refused(label: string, output: string): ToolResult {
  return { output, ok: false, label, display: output.replace(/^Error: /, "").split("\n", 1)[0] };
}

/**
 * Which calls' lines are shown (the loop's tool_start). A read-only call may start before its line
 * is shown; a hook about it waits for the line, so the program reads the tool_use before the callback.
 */
const MAX_REMEMBERED = 64;

class ShownCalls {
  private readonly shown = new Set<string>();
  private readonly waiting = new Map<string, () => void>();

  started(id: string): void {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (waiter) return waiter();
    this.shown.add(id);
    // Calls nobody asked about are never looked up: keep only the recent ones.
    if (this.shown.size > MAX_REMEMBERED) this.shown.delete(this.shown.values().next().value!);
  }

  /** The call's id; `wait`: once its line is shown ("" for a call without an id). */
  async idFor(call: { id?: string }, wait: boolean): Promise<string> {
    const id = call.id ?? "";
    if (!wait || !id || this.shown.has(id)) return id;
    return new Promise((resolve) => this.waiting.set(id, () => resolve(id)));
  }
}

/**
 * Whether a bare rule names the tool `claudeName` (for --tools and bare --disallowedTools, which
 * shape the tool list): `Bash`, `mcp__server` (every tool of a server), `mcp__server__tool`.
 * Rules with a pattern are the approval decision's (approval/permission-rules.ts).
 */
export function nameMatches(rule: string, claudeName: string): boolean {
  const name = rule.trim().replace(/\((\*)?\)$/, "");
  if (name.includes("(")) return false;
  return name === claudeName || (name.startsWith("mcp__") && claudeName.startsWith(`${name}__`)) || (name.endsWith("__*") && claudeName.startsWith(name.slice(0, -1)));
}
