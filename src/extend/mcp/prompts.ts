import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { capOutput } from "../../truncate.js";
import { directToolName } from "./names.js";

/**
 * A server's prompts as the person's slash commands: `/mcp__server__prompt args`, the words
 * mapped to the prompt's declared arguments in order (the last one takes the rest of the line),
 * or given as name=value. The prompt's messages become the next request's text.
 */

export interface RemotePrompt {
  name: string;
  description: string;
  arguments: { name: string; description?: string; required: boolean }[];
}

/** What this file needs of a server (server.ts's McpServer, which lists its prompts with listPrompts below). */
export interface PromptServer {
  name: string;
  prompts: RemotePrompt[];
  config: { toolTimeoutMs: number };
  session(): Client;
}

export interface PromptCommand {
  /** "/mcp__server__prompt" */
  command: string;
  server: PromptServer;
  prompt: RemotePrompt;
}

/** A server with more prompts than this lists only these: a slash menu of hundreds helps no one. */
const MAX_PROMPTS = 200;

export async function listPrompts(client: Client, timeoutMs: number): Promise<RemotePrompt[]> {
  const found: RemotePrompt[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listPrompts(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    for (const prompt of page.prompts) {
      const args = (prompt.arguments ?? []).map((a) => ({ name: a.name, description: a.description, required: a.required === true }));
      found.push({ name: prompt.name, description: prompt.description ?? prompt.title ?? "", arguments: args });
    }
    cursor = page.nextCursor;
  } while (cursor && found.length < MAX_PROMPTS);
  return found.slice(0, MAX_PROMPTS);
}

/** Every running server's prompts, by command name. */
export function promptCommands(servers: PromptServer[]): PromptCommand[] {
  const taken = new Set<string>();
  return servers.flatMap((server) =>
    server.prompts.map((prompt) => {
      const name = directToolName(server.name, prompt.name, taken);
      taken.add(name);
      return { command: `/${name}`, server, prompt };
    }),
  );
}

/** "/mcp__docs__review FILE [FOCUS]   Review a file (MCP server docs)", for /help. */
export function promptHelp({ command, server, prompt }: PromptCommand): string {
  return `${[command, argumentsLine(prompt)].filter(Boolean).join(" ")} — ${prompt.description || prompt.name} (MCP server ${server.name})`;
}

/**
 * The typed words as the prompt's arguments, or a sentence saying what is missing or unknown.
 * Quotes group words: /mcp__docs__review "src/a b.ts" security.
 */
export function promptArguments({ command, prompt }: Pick<PromptCommand, "command" | "prompt">, text: string): { args: Record<string, string> } | { problem: string } {
  const words = [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  const declared = new Set(prompt.arguments.map((a) => a.name));
  const args: Record<string, string> = {};
  const positional: string[] = [];
  for (const word of words) {
    const named = /^([A-Za-z_][\w-]*)=(.*)$/s.exec(word);
    if (named && declared.has(named[1])) args[named[1]] = named[2];
    else positional.push(word);
  }
  const open = prompt.arguments.filter((a) => !(a.name in args));
  if (positional.length > open.length && open.length === 0) return { problem: `${command} takes ${prompt.arguments.length ? `only ${prompt.arguments.map((a) => a.name).join(", ")}` : "no arguments"}.` };
  open.forEach((argument, i) => {
    if (i >= positional.length) return;
    // The last argument takes the rest of the line, so a sentence needs no quotes.
    args[argument.name] = i === open.length - 1 ? positional.slice(i).join(" ") : positional[i];
  });
  const missing = prompt.arguments.filter((a) => a.required && !args[a.name]).map((a) => a.name);
  if (missing.length) return { problem: `${command} needs ${missing.join(", ")}. Usage: ${[command, argumentsLine(prompt)].filter(Boolean).join(" ")}` };
  return { args };
}

/** Fetch the prompt and turn its messages into one request (text as is, resources inline, media noted). */
export async function promptText(server: PromptServer, prompt: RemotePrompt, args: Record<string, string>, signal: AbortSignal): Promise<string> {
  const result = await server.session().getPrompt({ name: prompt.name, arguments: args }, { signal, timeout: server.config.toolTimeoutMs });
  const parts = result.messages.map(({ role, content }) => {
    const block = content as { type: string; text?: string; mimeType?: string; uri?: string; resource?: { uri: string; text?: string; mimeType?: string } };
    const text =
      block.type === "text"
        ? (block.text ?? "")
        : block.type === "resource" && typeof block.resource?.text === "string"
          ? `<resource uri="${block.resource.uri}">\n${block.resource.text}\n</resource>`
          : `[${block.type} ${block.uri ?? block.resource?.uri ?? block.mimeType ?? ""} from the prompt, not shown]`;
    return role === "assistant" ? `(The prompt's assistant turn:) ${text}` : text;
  });
  return capOutput(parts.join("\n\n").trim());
}

/** "FILE [FOCUS]": required arguments bare, optional ones in brackets. */
function argumentsLine(prompt: RemotePrompt): string {
  return prompt.arguments.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`)).join(" ");
}
