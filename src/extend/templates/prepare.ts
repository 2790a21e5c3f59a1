import { attachFile, mentionedPaths } from "../../attached-file.js";
import { sandboxState } from "../../processes/sandbox.js";
import { covers, describeRules } from "./allowed-tools.js";
import { expandTemplate } from "./expand.js";
import { findInlineCommands, inlineCommandOutputs, type InlineCommand } from "./inline-commands.js";
import type { PromptTemplate } from "./load.js";

/**
 * A template made ready to send: arguments filled in, `@file` attached as read_file reads it, and
 * its shell commands run with their output in their place. What decides whether they may run:
 * the template's own rules (every command covered, or nothing is sent), the person's trust (the
 * caller's, for a project's template), and the sandbox (read-only, no network; without it they
 * never run). Nothing here asks or prints.
 */

export type Prepared =
  | { kind: "ready"; prompt: string; attached: string[]; ran: string[] }
  /** Nothing may be sent: `problems` say why, one line each. */
  | { kind: "refused"; problems: string[]; preview: string }
  /** A project's template wants to run commands the person has not trusted yet. */
  | { kind: "needs-trust"; commands: string[]; preview: string };

export interface PrepareOptions {
  root: string;
  /** The person trusts this template's commands (always true for their own templates). */
  trusted: boolean;
  /** --show: expand without running anything. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export async function prepareTemplate(template: PromptTemplate, args: string, options: PrepareOptions): Promise<Prepared> {
  const expanded = expandTemplate(template, args);
  const commands = findInlineCommands(expanded, template.syntax);
  const { text, attached, problems } = attachFiles(expanded, commands, options.root);
  const uncovered = commands.filter((found) => !covers(template.commandRules, found.command));
  for (const { token } of uncovered) {
    problems.push(`${token} in ${template.file} is not covered by its allowed-tools (${describeRules(template.commandRules)}), so it cannot run.`);
  }
  if (problems.length) return { kind: "refused", problems, preview: text };
  if (options.dryRun || commands.length === 0) return { kind: "ready", prompt: text, attached, ran: [] };
  if (!options.trusted) return { kind: "needs-trust", commands: commands.map((found) => found.command), preview: text };
  if (!sandboxState().active) {
    const why = sandboxState().problem ?? "the sandbox is off";
    return { kind: "refused", problems: [`${template.file} runs shell commands, which run only read-only in the sandbox, and ${why}.`], preview: text };
  }
  const prompt = await inlineCommandOutputs(text, commands, { cwd: options.root, signal: options.signal });
  return { kind: "ready", prompt, attached, ran: commands.map((found) => found.command) };
}

/** `@path` outside the commands: the path stays as a word and the file joins at the end, once. */
function attachFiles(text: string, commands: InlineCommand[], root: string): { text: string; attached: string[]; problems: string[] } {
  let outside = text;
  for (const { token } of commands) outside = outside.split(token).join(" ");
  const attached: string[] = [];
  const blocks: string[] = [];
  const problems: string[] = [];
  let result = text;
  for (const path of new Set(mentionedPaths(outside))) {
    const file = attachFile(root, path);
    if (!file) continue;
    if ("problem" in file) {
      problems.push(file.problem);
      continue;
    }
    result = result.replace(new RegExp(`(^|\\s)@${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`, "g"), `$1${path}`);
    if (attached.includes(file.shown)) continue;
    attached.push(file.shown);
    blocks.push(file.block);
  }
  return { text: blocks.length ? `${result}\n\n${blocks.join("\n\n")}` : result, attached, problems };
}
