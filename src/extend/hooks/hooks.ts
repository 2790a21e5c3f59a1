import { relative } from "node:path";
import { namedFiles, namedFilesDigest } from "../named-files.js";
import { runWithInput, runWithInputSync, type InputRunResult } from "../../processes/run-with-input.js";
import { readHookOutput, type HookDecision } from "./hook-output.js";
import { matchesTool } from "./matcher.js";
import type { HookCommand, HookEvent, HookSettings } from "./settings.js";
import { unsentToolNames, type UnsentToolName } from "./tool-name-check.js";
import { firstLine } from "../../text.js";

export type { HookDecision } from "./hook-output.js";

/**
 * The hooks of one session: which are active (user hooks always; project hooks once trusted),
 * and what running them for an event decides. Hooks run one after another in the workspace, each
 * with the event as JSON on stdin, in Claude Code's shape (session_id, transcript_path, cwd,
 * permission_mode, hook_event_name, then the event's own fields). Exit code 2 blocks (stderr says
 * why); JSON on stdout may decide too (hook-output.ts).
 *
 * Claude Code's rule holds: a hook that cannot run (not found, crashed, timed out) is a visible
 * line for the person, never a silent pass. For PreToolUse it is more: a guard that cannot run
 * blocks the call (fail-closed), with an observation naming the broken hook.
 */

export interface HooksOptions {
  /** The workspace: hooks run there and get it as `cwd`. */
  cwd: string;
  /** The session as hooks see it: the id for --resume (session_id) and its JSONL file (transcript_path). */
  session: HookSession;
  /** One line for the person: a hook failed, timed out or was killed, or said something (systemMessage). */
  warn: (line: string) => void;
  /** Project hooks were already trusted (remembered, or --trust-project-hooks). */
  projectTrusted: boolean;
  /** Claude Code's permission_mode: "bypassPermissions" under --yes, else the session's starting --permission-mode. */
  permissionMode: string;
}

/** The current session, read at each hook run (/clear starts a new one). */
export interface HookSession {
  readonly sessionId: string | undefined;
  readonly transcriptPath: string | undefined;
}

/** A SessionEnd at exit gets at most this long per hook: the person is waiting for their shell. */
const EXIT_HOOK_MAX_MS = 5_000;

export class Hooks {
  private projectTrusted: boolean;
  private readonly trustedScripts = new Map<string, string>();
  private ended = false;

  constructor(
    private readonly settings: HookSettings,
    private readonly options: HooksOptions,
  ) {
    this.projectTrusted = options.projectTrusted;
    if (this.projectTrusted) this.recordScripts();
  }

  /** Every hook found, with whether it will run. */
  all(): Array<HookCommand & { active: boolean }> {
    return this.settings.commands.map((hook) => ({ ...hook, active: hook.scope === "user" || this.projectTrusted }));
  }

  /** Claude Code events a settings file configures that mini-claude does not run, once each, with their files. */
  ignored(): Array<{ event: string; sources: string[] }> {
    const byEvent = new Map<string, string[]>();
    for (const { event, source } of this.settings.ignored) byEvent.set(event, [...new Set([...(byEvent.get(event) ?? []), source])]);
    return [...byEvent].map(([event, sources]) => ({ event, sources }));
  }

  /** Hooks waiting for a tool name mini-claude never sends (tool-name-check.ts), for /hooks. */
  unsentToolNames(): UnsentToolName[] {
    return unsentToolNames(this.settings.commands, this.options.cwd);
  }

  /** Project hooks waiting for the person's trust (none once trusted). */
  untrusted(): HookCommand[] {
    return this.projectTrusted ? [] : this.settings.commands.filter((hook) => hook.scope === "project");
  }

  trustProject(): void {
    this.projectTrusted = true;
    this.recordScripts();
  }

  /** The content of what each project hook names, as trusted now (the remembered trust's fingerprint includes it). */
  private recordScripts(): void {
    for (const hook of this.settings.commands) if (hook.scope === "project") this.trustedScripts.set(hook.command, namedFilesDigest(hook.command, this.options.cwd));
  }

  /** Whether any active hook runs for `event` (and `subject`: the tool, the source, the notification type). */
  has(event: HookEvent, subject?: string): boolean {
    return this.matching(event, subject).length > 0;
  }

  /**
   * Run the hooks of `event` that match `subject` with `payload` beside the common fields. A
   * block stops the rest; a later "ask" outranks an "allow"; the last updatedInput wins.
   * Contract: never rejects.
   */
  async run(event: HookEvent, payload: Record<string, unknown>, signal?: AbortSignal, subject?: string): Promise<HookDecision> {
    const decision: HookDecision = {};
    const input = this.input(event, payload);
    const contexts: string[] = [];
    for (const hook of this.matching(event, subject)) {
      if (signal?.aborted) break;
      const rewritten = this.rewritten(hook);
      if (rewritten) {
        this.options.warn(`${hook.event} hook \`${firstLine(hook.command, 60)}\` was not run: ${rewritten}.`);
        // A guard whose script changed is a guard that cannot run: it allows nothing.
        if (event !== "PreToolUse") continue;
        decision.block = `the hook \`${firstLine(hook.command, 60)}\` (from ${hook.source}) was not run: ${rewritten}. Tell the user to restart mini-claude to be asked about it again.`;
        break;
      }
      const result = await runWithInput(hook.command, { cwd: this.options.cwd, input, timeoutMs: hook.timeoutMs, signal, env: this.env() });
      const outcome = this.interpret(hook, result);
      if (outcome.context) contexts.push(outcome.context);
      if (outcome.updatedInput) decision.updatedInput = outcome.updatedInput;
      if (outcome.permission && decision.permission !== "ask") Object.assign(decision, { permission: outcome.permission, reason: outcome.reason });
      if (outcome.block !== undefined) {
        decision.block = outcome.block;
        break;
      }
    }
    if (contexts.length) decision.context = contexts.join("\n");
    return decision;
  }

  /**
   * SessionEnd, once per session whichever way it ends: awaited on a normal return, or
   * synchronously (each hook cut at EXIT_HOOK_MAX_MS) from the process's exit handler.
   */
  async end(reason: string): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.run("SessionEnd", { reason }, undefined, reason);
  }

  endSync(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    const input = this.input("SessionEnd", { reason });
    for (const hook of this.matching("SessionEnd", reason)) {
      if (this.rewritten(hook)) continue;
      const timeoutMs = Math.min(hook.timeoutMs, EXIT_HOOK_MAX_MS);
      this.interpret({ ...hook, timeoutMs }, runWithInputSync(hook.command, { cwd: this.options.cwd, input, timeoutMs, env: this.env() }));
    }
  }

  private input(event: HookEvent, payload: Record<string, unknown>): string {
    const { sessionId, transcriptPath } = this.options.session;
    const common = { session_id: sessionId ?? null, transcript_path: transcriptPath ?? null, cwd: this.options.cwd, permission_mode: this.options.permissionMode };
    return JSON.stringify({ ...common, hook_event_name: event, ...payload });
  }

  private env(): Record<string, string> {
    return { CLAUDE_PROJECT_DIR: this.options.cwd, MINI_CLAUDE_PROJECT_DIR: this.options.cwd };
  }

  /**
   * Why a project hook must not run although the person trusted it: a workspace file its command
   * names (its script) changed since, which a command could have done. Trust covers what runs.
   */
  private rewritten(hook: HookCommand): string | undefined {
    if (hook.scope !== "project") return undefined;
    const trusted = this.trustedScripts.get(hook.command);
    if (trusted === undefined || trusted === namedFilesDigest(hook.command, this.options.cwd)) return undefined;
    return `${namedFiles(hook.command, this.options.cwd).map((file) => relative(this.options.cwd, file)).join(", ") || "a file it names"} changed since you trusted this project's hooks`;
  }

  private matching(event: HookEvent, subject?: string): HookCommand[] {
    return this.all().filter((hook) => hook.active && hook.event === event && (subject === undefined || matchesTool(hook.matcher, subject)));
  }

  private interpret(hook: HookCommand, result: InputRunResult): HookDecision {
    const name = `${hook.event} hook \`${firstLine(hook.command, 60)}\``;
    if (result.aborted) return {};
    const broken = brokenBecause(hook, result);
    if (broken) {
      this.options.warn(`${name} ${broken}.`);
      // A guard that cannot run must not let the call through without a word.
      if (hook.event !== "PreToolUse") return {};
      return { block: `the hook \`${firstLine(hook.command, 60)}\` (from ${hook.source}) ${broken}; a guard that cannot run allows nothing. Tell the user to fix or remove that hook.` };
    }
    const stderr = result.stderr.trim();
    if (result.exitCode === 2) return { block: stderr || `blocked by ${name}` };
    const decision = readHookOutput(hook.event, result.stdout.trim());
    if (decision.message) this.options.warn(`${name}: ${decision.message}`);
    return decision;
  }
}

/** Why a hook's run says nothing about the event: it did not start, was killed, or failed (any exit but 0 and 2). */
function brokenBecause(hook: HookCommand, result: InputRunResult): string | undefined {
  if (result.error) return `could not run: ${result.error}`;
  if (result.timedOut) return `took more than ${hook.timeoutMs / 1000} s and was killed with its processes`;
  if (result.exitCode === 0 || result.exitCode === 2) return undefined;
  const stderr = result.stderr.trim().split("\n", 1)[0];
  const what = result.exitCode === null ? "was killed by a signal" : result.exitCode === 127 ? "could not run (exit 127: command not found)" : `failed with exit code ${result.exitCode}`;
  return `${what}${stderr ? ` (${stderr})` : ""}`;
}
