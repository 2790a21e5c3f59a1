import type { Conversation } from "../loop/conversation.js";

/**
 * Claude Code's `--system-prompt` (replaces mini-claude's prompt, tool guidance included, as it
 * does in Claude Code) and `--append-system-prompt` (added after it); the Agent SDK sends both in
 * its initialize request too. Neither given: the prompt stays as it is.
 */
export function replaceSystemPrompt(conversation: Conversation, custom: string | undefined, append: string | undefined): void {
  if (!custom && !append) return;
  conversation.overrideSystemPrompt(custom, append);
}
