import { isAbsolute, join } from "node:path";
import { runWithInput, type InputRunResult } from "../processes/run-with-input.js";
import { matchesTool } from "./matcher.js";
import type { HookCommand, HookEvent, HookSettings } from "./settings.js";

/**
 * The hooks of one session: which are active (user hooks always; project hooks once trusted),
 * and what running them for an event decides. Hooks run one after another in the workspace, each
 * with the event as JSON on stdin, as in Claude Code. Exit code 2 blocks (stderr says why); JSON
 * on stdout may decide too ({"decision":"block","reason":…}, or PreToolUse's
 * hookSpecificOutput.permissionDecision "deny"); any other failure is a warning, never a stop.
 */

export interface HooksOptions {
  /** The workspace: hooks run there and get it as `cwd`. */
  cwd: string;
  /** The session as hooks see it: the id for --resume (session_id) and its JSONL file (transcript_path). */
  session: HookSession;
  /** One line for the person: a hook failed, timed out or was killed. */
  warn: (line: string) => void;
  /** Project hooks were already trusted (remembered, or --trust-project-hooks). */
  projectTrusted: boolean;
}

/** The current session, read at each hook run (/clear starts a new one). */
export interface HookSession {
  readonly sessionId: string | undefined;
  readonly transcriptPath: string | undefined;
}

/** What the hooks of one event decided. */
export interface HookDecision {
  /** A hook blocked (exit 2 or a "block"/"deny" decision): why, for the model or the person. */
  block?: string;
  /** Text the hooks want the model to see (UserPromptSubmit, SessionStart; PostToolUse feedback). */
  context?: string;
}

export class Hooks {
  private projectTrusted: boolean;

  constructor(
    private readonly settings: HookSettings,
    private readonly options: HooksOptions,
  ) {
    this.projectTrusted = options.projectTrusted;
  }

  /** Every hook found, with whether it will run. */
  all(): Array<HookCommand & { active: boolean }> {
    return this.settings.commands.map((hook) => ({ ...hook, active: hook.scope === "user" || this.projectTrusted }));
  }

  /** Project hooks waiting for the person's trust (none once trusted). */
  untrusted(): HookCommand[] {
    return this.projectTrusted ? [] : this.settings.commands.filter((hook) => hook.scope === "project");
  }

  trustProject(): void {
    this.projectTrusted = true;
  }

  has(event: HookEvent, tool?: string): boolean {
    return this.matching(event, tool).length > 0;
  }

  /** Run the hooks of `event` (for `tool`, when a tool event) with `payload` beside the common fields. */
  async run(event: HookEvent, payload: Record<string, unknown>, signal?: AbortSignal, tool?: string): Promise<HookDecision> {
    const decision: HookDecision = {};
    const { sessionId, transcriptPath } = this.options.session;
    const input = JSON.stringify({ session_id: sessionId ?? null, transcript_path: transcriptPath ?? null, cwd: this.options.cwd, hook_event_name: event, ...payload });
    const contexts: string[] = [];
    for (const hook of this.matching(event, tool)) {
      if (signal?.aborted) break;
      const result = await runWithInput(hook.command, {
        cwd: this.options.cwd,
        input,
        timeoutMs: hook.timeoutMs,
        signal,
        env: { CLAUDE_PROJECT_DIR: this.options.cwd, MINI_CLAUDE_PROJECT_DIR: this.options.cwd },
      });
      const outcome = this.interpret(hook, result);
      if (outcome.context) contexts.push(outcome.context);
      if (outcome.block !== undefined) {
        decision.block = outcome.block;
        break;
      }
    }
    if (contexts.length) decision.context = contexts.join("\n");
    return decision;
  }

  private matching(event: HookEvent, tool?: string): HookCommand[] {
    return this.all().filter((hook) => hook.active && hook.event === event && (tool === undefined || matchesTool(hook.matcher, tool)));
  }

  private interpret(hook: HookCommand, result: InputRunResult): HookDecision {
    const name = `${hook.event} hook \`${brief(hook.command)}\``;
    if (result.error) {
      this.options.warn(`${name} could not run: ${result.error}`);
      return {};
    }
    if (result.timedOut) {
      this.options.warn(`${name} took more than ${hook.timeoutMs / 1000} s and was killed with its processes.`);
      return {};
    }
    if (result.aborted) return {};
    const stderr = result.stderr.trim();
    if (result.exitCode === 2) return { block: stderr || `blocked by ${name}` };
    if (result.exitCode !== 0) {
      this.options.warn(`${name} exited ${result.exitCode}${stderr ? `: ${stderr.split("\n", 1)[0]}` : ""}`);
      return {};
    }
    return fromStdout(hook.event, result.stdout.trim());
  }
}

/** Exit 0: a JSON decision as Claude Code reads it, or (for prompt and session events) plain text for the model. */
function fromStdout(event: HookEvent, stdout: string): HookDecision {
  if (!stdout) return {};
  if (stdout.startsWith("{")) {
    try {
      const json = JSON.parse(stdout) as Record<string, any>;
      const specific = (json.hookSpecificOutput ?? {}) as Record<string, any>;
      const reason = String(json.reason ?? specific.permissionDecisionReason ?? json.stopReason ?? "").trim();
      if (json.decision === "block" || specific.permissionDecision === "deny" || json.continue === false) {
        return { block: reason || `blocked by a ${event} hook` };
      }
      const context = typeof specific.additionalContext === "string" ? specific.additionalContext : undefined;
      return context ? { context } : {};
    } catch {
      // Not JSON after all: treated as text below.
    }
  }
  return event === "UserPromptSubmit" || event === "SessionStart" ? { context: stdout } : {};
}

/** Claude Code's tool_input names the file `file_path` (absolute); ours says `path`. Both are sent. */
export function hookToolInput(input: unknown, cwd: string): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return input;
  const path = (input as { path?: unknown }).path;
  if (typeof path !== "string") return input;
  return { ...input, file_path: isAbsolute(path) ? path : join(cwd, path) };
}

function brief(command: string): string {
  const line = command.split("\n", 1)[0];
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
