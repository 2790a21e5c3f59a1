import type { z } from "zod";
import type { JobManager } from "../processes/jobs.js";
import type { ContentPart } from "../images.js";

/**
 * What a tool is. Kept apart from the registry (index.ts) so that tool modules and the registry
 * do not import each other.
 */

/**
 * What a tool is about to do, put to the approval decision (src/approval/decide.ts) before it
 * acts. Each kind is one class of action: a shell command, a command's network request to one
 * domain, a read, a write (with its diff), a call to an outside tool, a project server's start,
 * a call a PreToolUse hook wants the person to approve.
 * The decision says run, ask or refuse; the mode (REPL or --print) shows the question.
 */
export type ApprovalRequest = (
  | {
      kind: "command";
      command: string;
      /** The command asks to leave the sandbox: reach the network, or run outside it altogether. */
      network?: boolean;
      unsandboxed?: boolean;
    }
  /**
   * A sandboxed command (the sandbox engine's per-domain ask) or web_fetch wants to reach `host`.
   * `privateAddress`: it is (or resolves to) a private address, which only an allow naming it opens.
   */
  | { kind: "network"; host: string; port?: number; command: string; privateAddress?: boolean; webFetch?: true }
  /** A file tool reads `path` (real absolute path; `requested` is the path as the model named it, resolved). */
  | { kind: "read"; tool: string; path: string; requested?: string }
  | {
      kind: "write";
      tool: string;
      /** Real absolute path of the file written. */
      path: string;
      requested?: string;
      /** Why this path is protected, in a few words; undefined when it is not. */
      reason?: string;
      diff: FileDiff;
    }
  | { kind: "tool"; /** The registry name (mcp__server__tool). */ tool: string; server: string; name: string; /** The call in one line, as the person's label shows it. */ summary: string }
  /** Start a project's MCP server (its .mcp.json is the project's, not the person's); asked once, remembered. */
  | { kind: "server"; name: string; /** The command line (or URL) that would run. */ command: string }
  /** A PreToolUse hook answered "ask": the person decides this call, whatever else they allowed; --print refuses. */
  | { kind: "hook"; /** Claude Code's name for the tool (Bash, Read, mcp__…). */ tool: string; /** The call in one line. */ summary: string; /** The hook's permissionDecisionReason. */ reason: string }
) & {
  /**
   * Resolves once the call's line is on screen. Read-only calls run side by side, so a question
   * waits for it: questions then come in call order, each under its own call's line.
   */
  shown?: Promise<void>;
  /**
   * Called by the mode just before it would put the question to the person (`canAsk`) or refuse
   * it because it cannot ask (--print): PermissionRequest hooks may answer it, and, when the
   * person will be asked, Notification hooks hear that a question waits. Undefined: no answer.
   */
  beforeQuestion?: (canAsk: boolean) => Promise<Approval | undefined>;
  /** A PreToolUse hook allowed this call (or the person approved a hook's "ask"); approval/decide.ts says what that answers. */
  allowedByHook?: boolean;
  /**
   * The Agent SDK program's PreToolUse callback's verdict (sdk/permissions.ts): "allow" answers a
   * question the decision would ask, "ask" asks although it would run. Neither overrides a refusal.
   */
  hostHook?: "allow" | "ask";
};

/**
 * The outcome: the person's answer (`reason`: what they added to "no"; `interrupted`: Ctrl-C at the
 * question), or `refused`: the decision said no without asking anyone (a deny rule, --print), why.
 */
export type Approval = { approved: true } | { approved: false; reason?: string; interrupted?: boolean; refused?: string };

/**
 * Put `request` to the approval decision; returns when it may go ahead. Contract: throws
 * ToolInterrupted for Ctrl-C at the question; a ToolError quoting the decision's reason when it
 * was refused without a question; otherwise a ToolError worded by `denied` (given ": their reason"
 * or "") for the person's "no".
 */
export async function requireApproval(ctx: ToolContext, request: ApprovalRequest, denied: (because: string) => string): Promise<void> {
  const decision = await ctx.approve(request, ctx.signal);
  if (decision.approved) return;
  if (decision.interrupted || ctx.signal.aborted) throw new ToolInterrupted();
  if (decision.refused) throw new ToolError(`not run: ${decision.refused.replace(/[.\s]+$/, "")}.`);
  throw new ToolError(denied(decision.reason ? `: ${decision.reason.trim().replace(/[.\s]+$/, "")}` : ""));
}

/** Put a read to the approval decision (the person's Read rules); returns when it may go ahead. */
export function approveRead(ctx: ToolContext, tool: string, path: string, requested?: string): Promise<void> {
  return requireApproval(ctx, { kind: "read", tool, path, ...(requested && requested !== path ? { requested } : {}) }, (because) => `the user refused this read${because}.`);
}

/** What varies between runs reaches tools here, never through imports. */
export interface ToolContext {
  /** Real path of the workspace root; every path goes through resolveInWorkspace(root, …). */
  root: string;
  /** Aborted when the person presses Ctrl-C; tools check it at await points. */
  signal: AbortSignal;
  /** Background jobs started by exec; they outlive one tool call. */
  jobs: JobManager;
  /** The approval decision and, when it asks, the person's answer (the REPL prompts; --print refuses). */
  approve: (request: ApprovalRequest, signal: AbortSignal) => Promise<Approval>;
  /** Why the person's settings deny reading `absolute`, or undefined: grep and list_files skip such files. */
  readDenied?: (absolute: string) => string | undefined;
  /**
   * Where outputs too long for the history are saved whole (see spill.ts); read_file may read
   * this folder although it is outside the workspace. Unset: long outputs are only cut.
   */
  spillDir?: string;
  /** A running call's latest output, for the person's live view ("" when it starts running). */
  progress?: (text: string) => void;
  /** The model's id for this call (the loop sets it per call): a subagent's events name the call that runs it. */
  callId?: string;
  /** More folders outside the workspace that read_file (only) may read: the user's skill folders. */
  readOnlyRoots?: string[];
  /** Rewind's recorder (src/session/rewind/): snapshots the workspace around calls of tools that change files, and says which changed. */
  recorder?: { around<T>(tool: string, step: () => Promise<T>, changed?: (paths: string[]) => void): Promise<T> };
  /** Plan mode is on (--permission-mode plan, /plan, Shift+Tab): commands may change nothing. */
  planning?: () => boolean;
  /** Shows a finished plan to the person and reads their verdict (the REPL); unset: the plan is the turn's answer. */
  presentPlan?: (plan: string, signal: AbortSignal) => Promise<PlanVerdict>;
}

/** The person's answer to a plan: implement it (as edited), or keep planning; null: interrupted. */
export type PlanVerdict = { kind: "implement"; plan: string } | { kind: "keep" } | null;

export interface Tool<P extends z.AnyZodObject = z.AnyZodObject> {
  name: string;
  description: string;
  params: P;
  /** A JSON schema sent instead of `params`' own (an MCP server's tool); `params` then only checks it is an object. */
  inputSchema?: Record<string, unknown>;
  /** Returns the observation the model reads. Throwing is fine: the registry turns it into an `Error:` observation. */
  run(args: z.infer<P>, ctx: ToolContext): Promise<string | ToolOutput>;
  /** One line for the person, e.g. "read_file src/app.ts 1-200". */
  summary?(args: z.infer<P>): string;
  /** The tool may change workspace files, so rewind records around its calls. */
  changesFiles?: boolean;
  /**
   * True when a call changes nothing (no file, process or approval question), so the loop may run
   * it beside the other read-only calls of the same reply. A function decides per call (exec's
   * bg_list). Unset: the call runs alone, in order.
   */
  readOnly?: boolean | ((args: z.infer<P>) => boolean);
}

export function defineTool<P extends z.AnyZodObject>(tool: Tool<P>): Tool<P> {
  return tool;
}

/** A file change, so the person can be shown a diff while the model reads a short summary. */
export interface FileDiff {
  path: string;
  before: string;
  after: string;
}

export interface ToolOutput {
  output: string;
  diff?: FileDiff;
  /** The outcome in a few words for the person ("exit 0 · 1.2s"), when the tool knows it best. */
  display?: string;
  /** A few lines the person sees under the outcome (a command's last output lines); the model never reads them. */
  details?: string;
  /** A foreground command's exit code, when it ran to its end (for machine-readable output). */
  exitCode?: number;
  /** The turn ends after this call's reply is answered; `answer`, when set, is the turn's final answer. */
  endsTurn?: { answer?: string };
  /** Images for the model (labels and image parts): tool messages carry text only, so the loop sends them in a user message after the turn's answers. */
  images?: ContentPart[];
}

/**
 * An expected failure, written for the model ("old_string occurs 3 times…"). Any other thrown
 * error reaches the model too (its message after "Error: "), so tools never catch just to wrap.
 */
export class ToolError extends Error {
  /** `display`: the person's one line, when the message's first line says too little on its own. */
  constructor(
    message: string,
    readonly display?: string,
  ) {
    super(message);
  }
}

/**
 * The person stopped this call before it ran (Ctrl-C at the approval question). The loop, which
 * owns the wording of every interruption, writes the observation.
 */
export class ToolInterrupted extends Error {}
