import type { Conversation } from "../loop/conversation.js";

/** mini-claude's own system prompt per conversation, before any replacement, so appending twice never stacks. */
const originals = new WeakMap<Conversation, string>();

/**
 * Claude Code's `--system-prompt` (replaces mini-claude's prompt, tool guidance included, as it
 * does in Claude Code) and `--append-system-prompt` (added after it); the Agent SDK sends both in
 * its initialize request too. Neither given: the prompt stays as it is.
 */
export function replaceSystemPrompt(conversation: Conversation, custom: string | undefined, append: string | undefined): void {
  const first = conversation.messages[0];
  if ((!custom && !append) || first?.role !== "system" || typeof first.content !== "string") return;
  if (!originals.has(conversation)) originals.set(conversation, first.content);
  const base = custom || originals.get(conversation)!;
  conversation.messages[0] = { role: "system", content: append ? `${base}\n\n${append}` : base };
}
