import type { Config } from "./config.js";
import type { Renderer } from "./render.js";
import type { Session } from "./session.js";

export interface SlashContext {
  session: Session;
  config: Config;
  renderer: Renderer;
  listJobs: () => string;
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
    run: (_, { session }) => {
      session.clear();
      say("Conversation cleared.");
    },
  },
  { name: "/bg", help: "list background jobs", run: (_, { listJobs }) => say(listJobs()) },
  {
    name: "/model",
    help: "show the model, or switch: /model NAME",
    run: (name, { session }) => {
      if (!name) return say(`Model: ${session.model ?? "(first model the server lists)"}`);
      session.model = name;
      say(`Model set to ${name}.`);
    },
  },
  {
    name: "/usage",
    help: "context used, the window, and tokens sent and received this session",
    run: (_, { session }) => {
      say(session.context.status(session.messages));
      say(`Tokens: ${session.usage.inputTokens} in, ${session.usage.outputTokens} out.`);
    },
  },
  {
    name: "/compact",
    help: "summarise the conversation now to free context: /compact [what to focus on]",
    run: async (focus, { session, config, renderer }) => {
      try {
        const outcome = await session.compact(focus, new AbortController().signal, (text) => void renderer.notice(text));
        await renderer.flush();
        if (!outcome) say("Nothing to compact yet: the conversation is only the latest request and its steps.");
      } catch (error) {
        const { describeError } = await import("./llm.js");
        const message = await describeError(error, { baseURL: config.baseURL, model: session.model });
        if (message) await renderer.error(message);
      }
    },
  },
  { name: "/exit", help: "leave mini-claude", run: () => "exit" },
];

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
