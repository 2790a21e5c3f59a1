import type { Config } from "../../config/config.js";
import type { Approvals } from "../../approval/setup.js";
import type { SessionChanges } from "./session-changes.js";
import type { JobManager } from "../../processes/jobs.js";
import { formatTokens } from "../../context/window.js";
import { stripControls } from "../../sanitize.js";
import { jobTable, runJobCommand } from "../../tools/background.js";
import type { SessionHooks } from "../../extend/hooks/setup.js";
import { rewindCommand, type RewindIO } from "./rewind.js";
import { sandboxReport } from "./sandbox.js";
import { contextReport } from "./context.js";
import { initRequest } from "./init.js";
import { wrapText } from "../render/wrap.js";
import { describeError } from "../errors.js";
import { hooksReport } from "../hooks-trust.js";
import { permissionsReport } from "./permissions.js";
import { isPromptCommand, promptHelpLines, runPromptCommand } from "./mcp-prompts.js";
import type { ToolContext } from "../../tools/define.js";
import { availableTemplates, closestNames, runTemplate, templateHelp, type TemplateRequest } from "./templates.js";
import type { Renderer } from "../render/render.js";
import type { Conversation } from "../../loop/conversation.js";
import { showControls } from "../../sanitize.js";
import { modeLine, togglePlanMode } from "../../approval/mode-switch.js";

/**
 * The REPL's slash commands: the table of names, their one-line help and what each does. Families
 * with more to them (templates, rewind, sessions, reports) live in the files beside this one.
 */

export interface SlashContext {
  conversation: Conversation;
  config: Config;
  renderer: Renderer;
  jobs: JobManager;
  approvals: Approvals;
  changes: SessionChanges;
  hooks?: SessionHooks;
  /** Show long text through a pager (the REPL on a terminal); without it, text is printed whole. */
  page?: (text: string) => Promise<unknown>;
  /** Ask the person a question at the prompt (null: interrupted). */
  ask?: (question: string) => Promise<string | null>;
  /** Run a long wait that Ctrl-C (or Esc) may end through `signal`; without it, nothing ends it. */
  interruptible?: <T>(run: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** The approval question, for a project's MCP server that a /mcp__ prompt starts. */
  approve?: ToolContext["approve"];
  /** The one-line status under the prompt (on a terminal): /statusline turns it on and off. */
  statusLine?: { on: boolean };
}

interface SlashCommand {
  name: string;
  help: string;
  /** A TemplateRequest is sent as the next request (/init). */
  run(argument: string, ctx: SlashContext): "exit" | void | TemplateRequest | Promise<"exit" | void | TemplateRequest>;
}

/** Commands print what the model chose (a job's command, a model name): its controls are shown, never sent. */
// The one wrap rule on a terminal (render/wrap.ts); a pipe gets the lines whole.
const say = (text: string) => process.stdout.write(`${wrapText(showControls(text, "\n\t"), process.stdout.columns)}\n`);
/** Text our own renderer made (a coloured diff): its lines were sanitised before they were coloured. */
const sayRendered = (text: string) => process.stdout.write(`${text}\n`);

/** What /help says about typing, besides the commands: the README's key table in brief. */
const KEYS_HELP = [
  "Keys and input:",
  ...[
    ["\\+Enter, Alt+Enter", "a new line in the same request (Shift+Enter too, where the terminal tells it apart)"],
    ["Esc, Ctrl-C", "interrupt the turn and its commands; at the prompt, clear the line"],
    ["Ctrl-C twice, Ctrl-D", "leave (or exit, /exit)"],
    ["Ctrl-Z", "suspend; fg brings the REPL back"],
    ["Up/Down, Tab", "earlier requests; complete a /command or an @path"],
    ["Ctrl-R", "search earlier requests (again: older; Enter sends, Esc cancels)"],
    ["Shift+Tab", "switch mode: default → accept edits → plan"],
    ["@path", "attach a workspace file to the request"],
    ["!cmd", "run your own shell command now; its output goes with your next request"],
  ].map(([keys, what]) => `  ${keys.padEnd(21)} ${what}`),
].join("\n");

/** How long /model waits for the server's model list before taking the name unchecked. */
const MODEL_CHECK_MS = 3000;

const NO_TEMPLATES_HELP = "Prompt templates and skills: none here (a .md file in .claude/commands/ or the config folder's commands/ becomes /name).";

export const slashCommands: SlashCommand[] = [
  {
    name: "/help",
    help: "this list",
    run: (_, { config, conversation }) => {
      // Two spaces at least after the longest name: the one wrap rule hangs each row under its text.
      const width = Math.max(...slashCommands.map((c) => c.name.length));
      say(slashCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.help}`).join("\n"));
      say(KEYS_HELP);
      const templates = templateHelp(availableTemplates(config), conversation.skills.all, slashCommands.map((command) => command.name.slice(1)));
      say(templates.length ? templates.join("\n") : NO_TEMPLATES_HELP);
      const prompts = promptHelpLines(conversation);
      if (prompts.length) say(prompts.join("\n"));
    },
  },
  {
    name: "/clear",
    help: "start a new conversation and clear the screen (background jobs keep running)",
    run: (_, { conversation }) => {
      const requests = conversation.messages.filter((message) => message.role === "user").length;
      conversation.clear();
      // As Claude Code's /clear: the screen and its scrollback go too, so old answers do not read as current.
      const screen = process.stdout.isTTY ? " and the screen" : "";
      if (screen) process.stdout.write("\x1b[2J\x1b[3J\x1b[H");
      say(`Cleared the conversation (${requests} ${requests === 1 ? "request" : "requests"})${screen}; background jobs keep running.`);
    },
  },
  {
    name: "/bg",
    help: "background jobs; /bg logs N [lines], /bg kill N",
    run: async (argument, { jobs, renderer }) => {
      const [verb, ...rest] = argument.split(/\s+/).filter(Boolean);
      if (!verb) return say(jobTable(jobs.list()));
      if (verb !== "logs" && verb !== "kill") return void (await renderer.error(`Unknown /bg ${verb}. Use /bg, /bg logs N [lines] or /bg kill N.`));
      try {
        say(stripControls((await runJobCommand(`bg_${verb} ${rest.join(" ")}`, jobs)).output));
      } catch (error) {
        // The job commands word their mistakes for the model; they read as well for the person.
        await renderer.error((error as Error).message.replace(/\bbg_(logs|kill|list)\b/g, "/bg $1").replace("/bg list", "/bg"));
      }
    },
  },
  { name: "/hooks", help: "the hooks found, where from, and whether they run", run: (_, { hooks }) => say(hooksReport(hooks)) },
  {
    name: "/model",
    help: "show the model, or switch: /model NAME",
    run: async (name, { conversation, renderer }) => {
      if (!name) return say(`Model: ${conversation.model ?? "(first model the server lists)"}`);
      // A typo found now costs nothing; found at the next request it costs that request.
      const listed = await conversation.listedModels(AbortSignal.timeout(MODEL_CHECK_MS));
      if (listed?.length && !listed.includes(name)) {
        const close = closestNames(name, listed);
        const names = close.length ? `closest: ${close.join(", ")}` : `it lists ${listed.slice(0, 5).join(", ")}${listed.length > 5 ? ", …" : ""}`;
        return void (await renderer.error(`The server lists no model ${name} (${names}); the model stays ${conversation.model ?? "the first one it lists"}.`));
      }
      conversation.model = name;
      say(listed?.length ? `Model set to ${name}.` : `Model set to ${name} (not checked: the server's model list could not be fetched).`);
    },
  },
  {
    name: "/usage",
    help: "context used, the window, and tokens sent and received this conversation",
    run: (_, { conversation, approvals }) => {
      say(conversation.context.status(conversation.messages));
      say(`Tokens: ${formatTokens(conversation.usage.inputTokens)} in, ${formatTokens(conversation.usage.outputTokens)} out.`);
      const runs = conversation.subagentRuns;
      if (runs.length) say(`  of which ${runs.length} subagent${runs.length === 1 ? "" : "s"}: ${formatTokens(runs.reduce((sum, run) => sum + run.usage.inputTokens, 0))} in, ${formatTokens(runs.reduce((sum, run) => sum + run.usage.outputTokens, 0))} out.`);
      say(modeLine(approvals.permissionMode));
    },
  },
  {
    name: "/statusline",
    help: "a one-line status under the prompt (model, context, mode, jobs), on or off",
    run: (_, { statusLine }) => {
      if (!statusLine) return say("The status line needs a terminal.");
      statusLine.on = !statusLine.on;
      say(statusLine.on ? "Status line on: it shows under the prompt (MINI_CLAUDE_STATUS_LINE=1 starts it on)." : "Status line off.");
    },
  },
  { name: "/plan", help: "plan mode on or off: the model looks and plans, changes nothing, then asks you to approve the plan (Shift+Tab cycles modes)", run: (_, { approvals }) => say(togglePlanMode(approvals)) },
  { name: "/context", help: "where the last request's tokens went, by source, and what /compact would free", run: async (_, { conversation }) => say(await contextReport(conversation)) },
  {
    name: "/compact",
    help: "summarise the conversation now to free context: /compact [what to focus on]",
    run: async (focus, { conversation, config, renderer, interruptible = (run) => run(new AbortController().signal) }) => {
      let signal: AbortSignal | undefined;
      try {
        const outcome = await interruptible((turn) => {
          signal = turn;
          return conversation.compact(focus, turn, (text: string) => void renderer.notice(text));
        });
        await renderer.flush();
        if (!outcome) say("Nothing to compact yet: the conversation is only the latest request and its steps.");
      } catch (error) {
        await renderer.flush();
        if (signal?.aborted) return void (await renderer.notice("Interrupted: the conversation was not compacted."));
        const message = await describeError(error, { baseURL: config.baseURL, model: conversation.model });
        if (message) await renderer.error(message);
      }
    },
  },
  {
    name: "/diff",
    help: "what this session changed in the workspace (its commands too), as a unified diff (paged when long)",
    run: async (_, { changes, renderer, page, conversation }) => {
      const diff = changes.render(renderer.colors.isColorSupported, conversation.recorder);
      if (page) await page(diff);
      else sayRendered(diff);
    },
  },
  {
    name: "/reasoning",
    help: "show the model's reasoning, dimmed, as each ends (or hide it again)",
    run: (_, { renderer }) => {
      renderer.showReasoning = !renderer.showReasoning;
      say(renderer.showReasoning ? "Reasoning is shown from now on, dimmed, as each ends; /reasoning hides it." : "Reasoning is hidden again (only its size is shown).");
    },
  },
  {
    name: "/expand",
    help: "the whole output of the last tool call, as the model read it (and every call of the last turn's subagents)",
    run: (_, { renderer }) => say(renderer.expanded() ?? "No tool has run yet."),
  },
  {
    name: "/approvals",
    help: "what your answers allowed this session; /approvals revoke N|all",
    run: (argument, { approvals }) => {
      const [verb, which = ""] = argument.split(/\s+/);
      const { remembered } = approvals;
      say(verb === "revoke" ? remembered.revoke(which, approvals.sandboxOn()) : remembered.describe(approvals.sandboxOn()));
    },
  },
  {
    name: "/permissions",
    help: "the permission rules of the settings files (allow, ask, deny) and where each comes from",
    run: (_, { approvals }) => say(permissionsReport(approvals.permissions)),
  },
  {
    name: "/mcp",
    help: "MCP servers: state, transport, tools, schema tokens, last error; /mcp reconnect|login|logout NAME",
    run: async (argument, { conversation }) => {
      const hub = conversation.mcp;
      const [verb, name] = argument.split(/\s+/);
      if (!hub) return say("No MCP servers configured.");
      if (verb === "reconnect" && name) return say(await hub.reconnect(name));
      if (verb === "login" && name) return say(await hub.logIn(name, say));
      if (verb === "logout" && name) return say(await hub.logOut(name));
      if (verb) return say("Usage: /mcp, or /mcp reconnect|login|logout NAME");
      say(hub.statusLines().join("\n"));
    },
  },
  { name: "/rewind", help: "list the turns; /rewind N [files|conversation] restores to before turn N", run: (arg, ctx) => rewindCommand(arg, ctx.conversation, rewindIO(ctx)) },
  { name: "/undo", help: "rewind the last turn: its file changes and the conversation", run: (_, ctx) => rewindCommand("", ctx.conversation, rewindIO(ctx), true) },
  { name: "/sandbox", help: "the sandbox's state and the exact argv of the last command's sandbox", run: (_, { config }) => say(sandboxReport(config.yes)) },
  {
    name: "/init",
    help: "ask the model to look at the project and write AGENTS.md (or improve it): /init [what to stress]",
    run: (argument, { config }) => initRequest(config.workspace, argument.trim()),
  },
  { name: "/exit", help: "leave mini-claude", run: () => "exit" },
];

function rewindIO(ctx: SlashContext): RewindIO {
  // The list and its sentences follow the one wrap rule (a terminal's width; a pipe gets them whole).
  return { say, sayRendered, ask: ctx.ask ?? (async () => null), color: ctx.renderer.colors.isColorSupported };
}

/**
 * Run a `/command`, or expand a prompt template of that name (a template request is returned for
 * the REPL to send); an unknown name gets the list of what exists and never reaches the model.
 */
export async function runSlashCommand(input: string, ctx: SlashContext): Promise<"exit" | void | TemplateRequest> {
  const [name, ...rest] = input.split(/\s+/);
  const command = slashCommands.find((c) => c.name === name.toLowerCase());
  if (command) return command.run(rest.join(" "), ctx);
  if (isPromptCommand(name)) {
    const { conversation, approve, renderer, interruptible = (run) => run(new AbortController().signal) } = ctx;
    return runPromptCommand(input, { conversation, approve, interruptible, error: (text) => renderer.error(text), notice: (text) => renderer.notice(text) });
  }
  const io = { say, warn: (text: string) => void ctx.renderer.error(text), ask: ctx.ask };
  const template = await runTemplate(name.slice(1), input.slice(name.length).trim(), ctx.config, ctx.conversation, io);
  if (template === "done" || template === "refused") return;
  if (template) return template;
  const names = [
    ...slashCommands.map((c) => c.name),
    ...availableTemplates(ctx.config).map((t) => `/${t.name}`),
    ...ctx.conversation.skills.all.map((s) => `/${s.name}`),
  ];
  await ctx.renderer.error(`Unknown command ${name}. Available: ${names.join(" ")} (/help describes them).`);
}

/** Tab completion for readline: the commands, then the prompt templates. */
export function completeSlash(line: string, templates: () => string[] = () => []): [string[], string] {
  if (!line.startsWith("/") || /\s/.test(line)) return [[], line];
  const names = [...slashCommands.map((c) => c.name), ...templates().map((name) => `/${name}`)];
  return [names.filter((name) => name.startsWith(line)), line];
}
