import { mustAsk } from "../approval-rule.js";
import type { Config } from "../config.js";
import type { Approval, ApprovalRequest } from "../tools/index.js";
import { renderDiff } from "./diff.js";
import type { InputQueue } from "./input-queue.js";
import type { Renderer } from "./render.js";

/**
 * The REPL's approval policy: show the person what is about to happen and read their answer.
 * y once, n (optionally with a reason the model reads), a for the rest of the session.
 * Ctrl-C at the question aborts the turn, which answers it as interrupted.
 */
export function replApproval(config: Config, reader: InputQueue, renderer: Renderer) {
  let always = config.yes;
  return async (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => {
    if (always || !mustAsk(request)) return { approved: true };
    // Everything queued (the spinner, the tool line) must be on screen before the question.
    await renderer.flush();
    if (request.kind === "write") {
      const diff = renderDiff(request.diff.before, request.diff.after, request.path, { color: renderer.colors.isColorSupported });
      if (diff) await renderer.notice(diff);
    }
    const answer = await reader.ask(`${question(request)} [y]es / [n]o (add a reason) / [a]lways: `, signal);
    if (answer === null) return { approved: false, interrupted: true };
    const text = answer.trim();
    if (/^a(lways)?$/i.test(text)) {
      always = true;
      return { approved: true };
    }
    if (/^y(es)?$/i.test(text)) return { approved: true };
    const reason = text.replace(/^n(o)?\b[\s:,-]*/i, "").trim();
    return { approved: false, reason: reason || undefined };
  };
}

function question(request: ApprovalRequest): string {
  if (request.kind === "command") return `Run \`${request.command}\`?`;
  if (request.kind === "write") return `Write ${request.path} (${request.reason})?`;
  return `Call ${request.summary}?`;
}
