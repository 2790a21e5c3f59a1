import { runCommand } from "../../processes/run.js";
import { redactSecrets } from "../../secrets.js";
import { geminiCommandTokens } from "./expand.js";

/**
 * Shell commands a template runs while it is expanded, their output taking their place: Claude
 * Code's `` !`git status` `` in Markdown templates, Gemini CLI's `!{git status}` in its TOML ones.
 * They run in the sandbox, read-only and without the network: a template gathers context, it does
 * not act (the model does that, through its tools and their approvals).
 */

/** One `` !`…` `` or `!{…}` in a template's text. */
export interface InlineCommand {
  /** The whole token as written, which the output replaces. */
  token: string;
  command: string;
}

/** A template command's time limit: gathering context should take seconds. */
export const INLINE_COMMAND_TIMEOUT_MS = 30_000;
/** Each command's output is cut to this many characters in the prompt. */
const MAX_INLINE_OUTPUT_CHARS = 20_000;

const CLAUDE = /!`([^`\n]+)`/g;

export function findInlineCommands(text: string, syntax: "markdown" | "gemini"): InlineCommand[] {
  const found =
    syntax === "gemini"
      ? geminiCommandTokens(text).map((token) => ({ token, command: token.slice(2, -1).trim() }))
      : [...text.matchAll(CLAUDE)].map((match) => ({ token: match[0], command: match[1].trim() }));
  return found.filter(({ command }) => command);
}

/**
 * Run each command (one after another, in the workspace) and put its output where it was written.
 * Contract: never throws; a command that fails, times out or cannot start leaves a bracketed line
 * saying so in its place, so the model knows the context is missing.
 */
export async function inlineCommandOutputs(text: string, commands: InlineCommand[], options: { cwd: string; signal?: AbortSignal }): Promise<string> {
  const outputs = new Map<string, string>();
  for (const { token, command } of commands) {
    if (outputs.has(token) || options.signal?.aborted) continue;
    // git status refreshes the index when it can; on a read-only workspace it must not try.
    const env = { GIT_OPTIONAL_LOCKS: "0" };
    const result = await runCommand(command, { cwd: options.cwd, timeoutMs: INLINE_COMMAND_TIMEOUT_MS, signal: options.signal, readOnly: true, env });
    let output = result.output.replace(/\s+$/, "");
    if (output.length > MAX_INLINE_OUTPUT_CHARS) output = `${output.slice(0, MAX_INLINE_OUTPUT_CHARS)}\n[…cut]`;
    const status = result.error
      ? `[\`${command}\` could not run: ${result.error}]`
      : result.timedOut
        ? `[\`${command}\` was stopped after ${INLINE_COMMAND_TIMEOUT_MS / 1000} s]`
        : result.exitCode !== 0
          ? `[\`${command}\` exited ${result.exitCode ?? result.signal}]`
          : "";
    outputs.set(token, redactSecrets([output, status].filter(Boolean).join("\n")));
  }
  let expanded = text;
  for (const [token, output] of outputs) expanded = expanded.split(token).join(output);
  return expanded;
}
