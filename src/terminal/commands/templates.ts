import { basename, join, relative } from "node:path";
import { UsageError } from "../../config/args.js";
import type { Config } from "../../config/config.js";
import type { Conversation } from "../../loop/conversation.js";
import { skillRequest } from "../../extend/skills.js";
import { findTemplate, geminiSettingsFiles, loadTemplates, templateFolders, type PromptTemplate } from "../../extend/templates/load.js";
import { prepareTemplate } from "../../extend/templates/prepare.js";
import { isTemplateTrusted, templateFingerprint, trustTemplate } from "../../extend/templates/trust.js";

/**
 * Prompt templates and skills as slash commands: `/name args` sends the expanded template (or the
 * skill's instructions); `/name --show args` prints the expansion and its size in tokens without
 * sending or running anything. Templates are read again at each use, so a file saved mid-session
 * works at once.
 */

/** A template to send as the next request; `model` applies to that request only. */
export interface TemplateRequest {
  prompt: string;
  model?: string;
  /** Its `@file`s are attached already: the REPL must not attach them again. */
  expanded: true;
}

/** How a template talks to the person: the REPL's screen and question, or --print's stdout and stderr. */
export interface TemplateIO {
  say(text: string): void;
  /** A note or problem, one line. */
  warn(text: string): void;
  /** A plain note (the REPL prints it; --print puts it on stderr); default `say`. */
  notice?(text: string): void;
  /** Ask a yes/no question; without it (--print), `yes` answers. */
  ask?(question: string): Promise<string | null>;
  /** --print's --yes: a project's template commands run without asking (not remembered). */
  yes?: boolean;
  signal?: AbortSignal;
}

/** "done": shown (--show) or refused with its reasons said; nothing is sent. */
export type TemplateOutcome = TemplateRequest | "done" | "refused" | undefined;

const CLAUDE_ALIASES = ["haiku", "sonnet", "opus"];

export function availableTemplates(config: Config): PromptTemplate[] {
  const home = process.env.HOME;
  return loadTemplates(templateFolders(config.workspace, config.configDir, home), geminiSettingsFiles(config.workspace, home));
}

/** Contract: undefined when no template or skill answers to this name; otherwise the request, or "done"/"refused" after saying why through `io`. */
export async function runTemplate(name: string, args: string, config: Config, conversation: Conversation, io: TemplateIO): Promise<TemplateOutcome> {
  const show = /(^|\s)--show(\s|$)/.test(args);
  const rest = show ? args.replace(/(^|\s)--show(?=\s|$)/, " ").trim() : args;
  const template = findTemplate(availableTemplates(config), name);
  if (!template) return runSkill(name, rest, show, config, conversation, io);
  if (template.shadows) (io.notice ?? io.say)(shadowNotice(template, config.workspace));
  const fingerprint = templateFingerprint(config.workspace, template);
  let trusted = template.origin === "user" || isTemplateTrusted(config.dataDir, fingerprint);
  const options = { root: config.workspace, dryRun: show, signal: io.signal };
  let prepared = await prepareTemplate(template, rest, { ...options, trusted });
  if (prepared.kind === "needs-trust") {
    trusted = await askTrust(template, prepared.commands, config, fingerprint, io);
    if (!trusted) return "refused";
    prepared = await prepareTemplate(template, rest, { ...options, trusted });
  }
  if (prepared.kind === "refused") {
    for (const problem of prepared.problems) io.warn(problem);
    if (show) io.say(prepared.preview);
    io.warn(`/${template.name} was not sent.`);
    return "refused";
  }
  if (prepared.kind !== "ready") return "refused";
  const model = await templateModel(template, conversation, io);
  if (show) {
    const tokens = conversation.context.estimator.estimate([{ role: "user", content: prepared.prompt }]);
    const commands = template.commandRules.length ? "; its commands did not run" : "";
    io.say(`${prepared.prompt}\n\n(/${template.name} from ${template.file}: about ${tokens} tokens${model ? `, model ${model}` : ""}${commands}; not sent)`);
    return "done";
  }
  return { prompt: prepared.prompt, model, expanded: true };
}

/**
 * `-p "/name args"`: the template or skill it names, as in the REPL. Text that does not start with
 * a `/word` (a path like "/etc/hosts is wrong") is undefined and is sent as it is; a `/word` that
 * names nothing is a mistake, said in one line with the names closest to it (exit 2).
 */
export async function templateInPrompt(typed: string, config: Config, conversation: Conversation, io: TemplateIO): Promise<TemplateOutcome> {
  // A leading space is how a person sends text that starts with "/word" as it is.
  const match = /^\/([\w.:-]+)(?:\s+([\s\S]*))?$/.exec(typed.trimEnd());
  if (!match) return undefined;
  const outcome = await runTemplate(match[1], match[2] ?? "", config, conversation, io);
  if (outcome !== undefined) return outcome;
  const names = [...availableTemplates(config).map((t) => t.name), ...conversation.skills.all.map((s) => s.name)];
  const close = closestNames(match[1], names);
  const hint = close.length ? `did you mean ${close.map((n) => `/${n}`).join(", ")}?` : names.length ? `the templates and skills are ${names.map((n) => `/${n}`).join(", ")}` : "there are no templates or skills here";
  throw new UsageError(`unknown command /${match[1]}: ${hint} (to send text starting with "/", put a space first)`);
}

/** The one line that says a project's template was not used, and why. */
export function shadowNotice(template: PromptTemplate, workspace: string): string {
  return `Using your own /${template.name} (${template.file}); this project's ${relative(workspace, template.shadows!)} has the same name and is ignored.`;
}

/** For /help: one line per template and skill with its description. */
export function templateHelp(templates: PromptTemplate[], skills: Array<{ name: string; description: string }> = [], builtIns: string[] = []): string[] {
  // A built-in command wins over a template of its name (as in Claude Code): say so, or the file seems ignored.
  const described = (t: PromptTemplate) => (builtIns.includes(t.name) ? `hidden by the built-in /${t.name}: rename ${basename(t.file)} to use it` : (t.description ?? ""));
  const lines = [...templates.map((t) => [t.name, described(t)]), ...skills.map((s) => [s.name, `(skill) ${s.description}`])];
  if (lines.length === 0) return [];
  return ["Prompt templates and skills (/name args; /name --show to preview):", ...lines.map(([name, text]) => `  /${name.padEnd(9)} ${text.length > 100 ? `${text.slice(0, 99)}…` : text}`.trimEnd())];
}

async function runSkill(name: string, args: string, show: boolean, config: Config, conversation: Conversation, io: TemplateIO): Promise<TemplateOutcome> {
  const skill = conversation.skills.all.find((s) => s.name === name);
  if (!skill) return undefined;
  const prompt = skillRequest(skill, args, config.workspace);
  if (prompt === undefined) {
    io.warn(`The skill ${name} (${skill.path}) can no longer be read; nothing was sent.`);
    return "refused";
  }
  if (!show) return { prompt, expanded: true };
  const tokens = conversation.context.estimator.estimate([{ role: "user", content: prompt }]);
  io.say(`${prompt}\n\n(/${name}, the skill in ${skill.path}: about ${tokens} tokens; not sent)`);
  return "done";
}

/** A project's template wants to run commands: the person says yes once (remembered), or --print's --yes does (for this run). */
async function askTrust(template: PromptTemplate, commands: string[], config: Config, fingerprint: string, io: TemplateIO): Promise<boolean> {
  const list = commands.map((command) => `\`${command}\``).join(", ");
  if (!io.ask) {
    if (io.yes) return true;
    io.warn(`/${template.name} (${template.file}) runs ${list}; this project's template commands run only with --yes or once trusted in the REPL. Nothing was sent.`);
    return false;
  }
  const answer = await io.ask(`/${template.name} from ${template.file} runs ${list} (read-only, in the sandbox, no network) and sends their output. Trust it? [y/N] `);
  if (!answer || !/^y(es)?$/i.test(answer.trim())) {
    io.warn(`/${template.name} was not sent.`);
    return false;
  }
  if (!trustTemplate(config.dataDir, fingerprint)) io.warn(`Could not save the trust in ${join(config.dataDir, "trusted-templates.json")}; it holds for this use only.`);
  return true;
}

/** The template's `model` when the endpoint lists it; otherwise a note and the session's model. */
async function templateModel(template: PromptTemplate, conversation: Conversation, io: TemplateIO): Promise<string | undefined> {
  const wanted = template.model;
  if (!wanted || wanted === "inherit") return undefined;
  const listed = await conversation.listedModels(io.signal);
  if (listed?.includes(wanted)) return wanted;
  const alias = CLAUDE_ALIASES.includes(wanted.toLowerCase()) ? ` ("${wanted}" is a Claude alias)` : "";
  const why = listed ? "is not one the endpoint lists" : "cannot be checked (the endpoint lists no models)";
  io.warn(`model ${wanted} from ${template.file} ${why}${alias}; using ${conversation.model ?? "the session's model"}.`);
  return undefined;
}

/** Names within two edits of `name`, or that contain it, nearest first (at most three). */
export function closestNames(name: string, names: string[]): string[] {
  const scored = names.map((candidate) => ({ candidate, distance: editDistance(name, candidate.split(":").at(-1)!) }));
  return scored
    .filter(({ candidate, distance }) => distance <= 2 || candidate.includes(name))
    .sort((a, b) => a.distance - b.distance)
    .slice(0, 3)
    .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
