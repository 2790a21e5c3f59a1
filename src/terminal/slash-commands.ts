import type { Config } from "../config.js";
import type { JobManager } from "../processes/jobs.js";
import { jobTable } from "../tools/background.js";
import { rewindCommand, type RewindIO } from "./rewind-command.js";
import { sandboxReport } from "./sandbox-report.js";
import { describeError } from "./errors.js";
import type { Renderer } from "./render.js";
import type { Conversation } from "../conversation.js";

export interface SlashContext {
  conversation: Conversation;
  config: Config;
  renderer: Renderer;
  jobs: JobManager;
  /** Ask the person a question at the prompt (null: interrupted). */
  ask?: (question: string) => Promise<string | null>;
}

interface SlashCommand {
  name: string;
  help: string;
  run(argument: string, ctx: SlashContext): "exit" | void | Promise<"exit" | void>;
}

const say = (text: string) => process.stdout.write(`${text}\n`);

export const slashCommands: SlashCommand[] = [
  {
    name: "/help",
    help: "this list",
    run: () => {
      say(slashCommands.map((c) => `  ${c.name.padEnd(10)} ${c.help}`).join("\n"));
      say("  Ctrl-C interrupts a turn; at the prompt, Ctrl-C twice or Ctrl-D exits.");
    },
  },
  {
    name: "/clear",
    help: "start a new conversation (background jobs keep running)",
    run: (_, { conversation }) => {
      conversation.clear();
      say("Conversation cleared.");
    },
  },
  { name: "/bg", help: "list background jobs", run: (_, { jobs }) => say(jobTable(jobs.list())) },
  {
    name: "/model",
    help: "show the model, or switch: /model NAME",
    run: (name, { conversation }) => {
      if (!name) return say(`Model: ${conversation.model ?? "(first model the server lists)"}`);
      conversation.model = name;
      say(`Model set to ${name}.`);
    },
  },
  {
    name: "/usage",
    help: "context used, the window, and tokens sent and received this conversation",
    run: (_, { conversation }) => {
      say(conversation.context.status(conversation.messages));
      say(`Tokens: ${conversation.usage.inputTokens} in, ${conversation.usage.outputTokens} out.`);
    },
  },
  {
    name: "/compact",
    help: "summarise the conversation now to free context: /compact [what to focus on]",
    run: async (focus, { conversation, config, renderer }) => {
      try {
        const outcome = await conversation.compact(focus, new AbortController().signal, (text: string) => void renderer.notice(text));
        await renderer.flush();
        if (!outcome) say("Nothing to compact yet: the conversation is only the latest request and its steps.");
      } catch (error) {
        const message = await describeError(error, { baseURL: config.baseURL, model: conversation.model });
        if (message) await renderer.error(message);
      }
    },
  },
  { name: "/rewind", help: "list the turns; /rewind N [files|conversation] restores to before turn N", run: (arg, ctx) => rewindCommand(arg, ctx.conversation, rewindIO(ctx)) },
  { name: "/undo", help: "rewind the last turn: its file changes and the conversation", run: (_, ctx) => rewindCommand("", ctx.conversation, rewindIO(ctx), true) },
  { name: "/sandbox", help: "the sandbox's state and the exact argv of the last command's sandbox", run: () => say(sandboxReport()) },
  { name: "/exit", help: "leave mini-claude", run: () => "exit" },
];

function rewindIO(ctx: SlashContext): RewindIO {
  return { say, ask: ctx.ask ?? (async () => null), color: ctx.renderer.colors.isColorSupported };
}

/** Run a `/command`; an unknown one gets a hint and never reaches the model. */
export async function runSlashCommand(input: string, ctx: SlashContext): Promise<"exit" | void> {
  const [name, ...rest] = input.split(/\s+/);
  const command = slashCommands.find((c) => c.name === name.toLowerCase());
  if (!command) {
    await ctx.renderer.error(`Unknown command ${name}. Type /help for the list.`);
    return;
  }
  return command.run(rest.join(" "), ctx);
}

/** Tab completion for readline. */
export function completeSlash(line: string): [string[], string] {
  if (!line.startsWith("/")) return [[], line];
  const hits = slashCommands.map((c) => c.name).filter((name) => name.startsWith(line));
  return [hits, line];
}
