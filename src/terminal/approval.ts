import type { Config } from "../config.js";
import type { Approval, ApprovalRequest } from "../tools/index.js";
import { approvalText } from "./approval-text.js";
import { renderDiff } from "./diff.js";
import type { InputQueue } from "./input-queue.js";
import type { Renderer } from "./render.js";

/** A protected write is judged by its diff, so the question shows far more of it than a tool line does. */
const APPROVAL_DIFF_LINES = 400;

/**
 * The REPL's approval policy: show the person what is about to happen and read their answer.
 * y once, n (optionally with a reason the model reads), a for the rest of the session.
 * Ctrl-C at the question aborts the turn, which answers it as interrupted.
 */
export function replApproval(config: Config, reader: InputQueue, renderer: Renderer) {
  let always = config.yes;
  return async (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => {
    if (always) return { approved: true };
    // Everything queued (the spinner, the tool line) must be on screen before the question.
    await renderer.flush();
    if (request.kind === "write") {
      const diff = renderDiff(request.diff.before, request.diff.after, request.path, {
        color: renderer.colors.isColorSupported,
        maxLines: APPROVAL_DIFF_LINES,
      });
      if (diff) await renderer.show(diff);
    }
    const { shown, question } = approvalText(request);
    await renderer.show(shown);
    const answer = await reader.ask(`${question} [y]es / [n]o (add a reason) / [a]lways: `, signal);
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
