import { relative } from "node:path";
import type { Config } from "../config.js";
import type { Conversation } from "../conversation.js";
import { expandTemplate } from "../templates/expand.js";
import { loadTemplates, templateFolders, type PromptTemplate } from "../templates/load.js";

/**
 * Prompt templates as slash commands: `/name args` sends the expanded file, `/name --show` prints
 * it and its size in tokens without sending it. Templates are read again at each use, so a file
 * saved mid-session works at once.
 */

/** A template to send as the next request; `model` applies to that request only. */
export interface TemplateRequest {
  prompt: string;
  model?: string;
}

export function availableTemplates(config: Config): PromptTemplate[] {
  return loadTemplates(templateFolders(config.workspace, config.configDir, process.env.HOME));
}

/**
 * Contract: undefined when no template has this name; otherwise either the request to send, or
 * (with --show) "shown" after printing the expansion through `say`. When the person's template
 * hides the project's of the same name, one line through `notice` says so first.
 */
export function runTemplate(
  name: string,
  args: string,
  config: Config,
  conversation: Conversation,
  say: (text: string) => void,
  notice: (text: string) => void = say,
): TemplateRequest | "shown" | undefined {
  const template = availableTemplates(config).find((t) => t.name === name);
  if (!template) return undefined;
  if (template.shadows) notice(shadowNotice(template, config.workspace));
  const show = /(^|\s)--show(\s|$)/.test(args);
  const prompt = expandTemplate(template, show ? args.replace(/(^|\s)--show(?=\s|$)/, " ").trim() : args);
  if (show) {
    const tokens = conversation.context.estimator.estimate([{ role: "user", content: prompt }]);
    say(`${prompt}\n\n(/${name} from ${template.file}: about ${tokens} tokens${template.model ? `, model ${template.model}` : ""}; not sent)`);
    return "shown";
  }
  return { prompt, model: template.model };
}

/**
 * `-p "/name args"`: the template it names, as in the REPL. Text that names no template (a path
 * like "/etc/hosts is wrong") is undefined and is sent as it is.
 */
export function templateInPrompt(
  typed: string,
  config: Config,
  conversation: Conversation,
  say: (text: string) => void,
  notice: (text: string) => void = say,
): TemplateRequest | "shown" | undefined {
  const match = /^\/([\w.:-]+)(?:\s+([\s\S]*))?$/.exec(typed.trim());
  return match ? runTemplate(match[1], match[2] ?? "", config, conversation, say, notice) : undefined;
}

/** The one line that says a project's template was not used, and why. */
export function shadowNotice(template: PromptTemplate, workspace: string): string {
  return `Using your own /${template.name} (${template.file}); this project's ${relative(workspace, template.shadows!)} has the same name and is ignored.`;
}

/** For /help: one line per template with its description. */
export function templateHelp(templates: PromptTemplate[]): string[] {
  if (templates.length === 0) return [];
  return ["Prompt templates (/name args; /name --show to preview):", ...templates.map((t) => `  /${t.name.padEnd(9)} ${t.description ?? ""}`.trimEnd())];
}
