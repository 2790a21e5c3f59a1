import type { Conversation } from "../loop/conversation.js";
import type { JobManager } from "../processes/jobs.js";
import { modeLabel } from "../approval/mode-switch.js";
import type { PermissionMode } from "../config/claude-flags.js";

/**
 * The one-line status under the REPL's prompt, while it waits for a request: the model, how full
 * the context is, the permission mode and the running background jobs. Off unless asked for
 * (`/statusline`, or config.statusLine: MINI_CLAUDE_STATUS_LINE=1), as Claude Code's is: the
 * prompt already names the mode and /usage says the rest.
 */
export function statusLine(conversation: Conversation, mode: PermissionMode, jobs: JobManager): string {
  // "context 23k / 128k (18%) · window from /props": the part before the window's source.
  const context = conversation.context.status(conversation.messages).split(" · ")[0]!;
  const running = jobs.list().filter((job) => job.state === "running").length;
  // The default mode is not named (the prompt does not name it either).
  return [conversation.model ?? "model not chosen yet", context, modeLabel(mode), running ? `${running} job${running === 1 ? "" : "s"}` : undefined]
    .filter(Boolean)
    .join(" · ");
}
