import type { Conversation } from "../../loop/conversation.js";
import { promptArguments, promptCommands, promptHelp, promptText } from "../../extend/mcp/prompts.js";
import type { ToolContext } from "../../tools/define.js";
import type { TemplateRequest } from "./templates.js";

/**
 * `/mcp__server__prompt args`: an MCP server's prompt, fetched with the typed arguments, becomes
 * the next request (as a prompt template does). The servers start first if no request has
 * started them; /help and Tab list the prompts of the servers that are running.
 */

export interface PromptCommandIO {
  conversation: Conversation;
  approve?: ToolContext["approve"];
  interruptible: <T>(run: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  error: (text: string) => Promise<void>;
  notice: (text: string) => Promise<void>;
}

/** Whether `name` is an MCP prompt's command form (it may not exist yet: the servers may not have started). */
export const isPromptCommand = (name: string) => name.startsWith("/mcp__");

export async function runPromptCommand(input: string, io: PromptCommandIO): Promise<TemplateRequest | void> {
  const [name] = input.split(/\s+/, 1);
  const hub = io.conversation.mcp;
  if (!hub) return io.error(`Unknown command ${name}: no MCP servers are configured.`);
  const approve = io.approve ?? (async () => ({ approved: false as const, refused: "no one can be asked here" }));
  try {
    return await io.interruptible(async (signal) => {
      await io.conversation.startMcp({ signal, approve });
      const commands = promptCommands(hub.ready());
      const found = commands.find((c) => c.command === name);
      if (!found) {
        const listed = commands.map((c) => c.command).join(" ");
        return io.error(`Unknown command ${name}. ${listed ? `MCP prompts: ${listed}` : "No running MCP server offers prompts (/mcp shows the servers)."}`);
      }
      const parsed = promptArguments(found, input.slice(name.length).trim());
      if ("problem" in parsed) return io.error(parsed.problem);
      const prompt = await promptText(found.server, found.prompt, parsed.args, signal);
      await io.notice(`(prompt ${found.prompt.name} from MCP server ${found.server.name})`);
      return { prompt, expanded: true as const };
    });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).replace(/^MCP error -?\d+: /, "");
    return io.error(`${name}: ${message}`);
  }
}

/** The running servers' prompts for /help, one line each. */
export function promptHelpLines(conversation: Conversation): string[] {
  const commands = promptCommands(conversation.mcp?.ready() ?? []);
  return commands.length ? ["MCP prompts:", ...commands.map((c) => `  ${promptHelp(c)}`)] : [];
}

/** Their names for Tab (without the slash, as templates are given). */
export function promptNames(conversation: Conversation): string[] {
  return promptCommands(conversation.mcp?.ready() ?? []).map((c) => c.command.slice(1));
}
