import type { Approvals } from "../approval/setup.js";
import type { Approval, ApprovalRequest } from "../tools/index.js";
import { approvalText } from "./approval-text.js";
import { renderDiff } from "./render/diff.js";
import { wrapText } from "./render/wrap.js";
import type { InputQueue } from "./input/queue.js";
import type { Renderer } from "./render/render.js";

/** A protected write is judged by its diff, so the question shows far more of it than a tool line does. */
const APPROVAL_DIFF_LINES = 400;

/**
 * The REPL's approval question. It decides nothing: approval/decide.ts says run, refuse or ask
 * (and why); this shows the action and the reason, reads the answer, and lets session.ts say
 * what the answer means and remember the explicit ones. Esc answers no; Ctrl-C aborts the turn,
 * which answers it as interrupted.
 */
export function replApproval(approvals: Approvals, reader: InputQueue, renderer: Renderer) {
  return async (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => {
    const decision = approvals.decide(request, "repl");
    if (decision.kind === "run") return { approved: true };
    if (decision.kind === "refuse") return { approved: false, refused: decision.why };
    // A call running beside others asks only once its own line is shown (agent.ts).
    await request.shown;
    if (signal.aborted) return { approved: false, interrupted: true };
    // PermissionRequest hooks may answer the question; if none does, Notification hooks hear it waits.
    const answered = await request.beforeQuestion?.(true);
    if (answered) return answered;
    // Everything queued (the spinner, the tool line) must be on screen before the question.
    await renderer.flush();
    if (request.kind === "write") {
      const diff = renderDiff(request.diff.before, request.diff.after, request.diff.path, {
        color: renderer.colors.isColorSupported,
        maxLines: APPROVAL_DIFF_LINES,
      });
      if (diff) await renderer.show(diff);
    }
    const { shown, question } = approvalText(request);
    await renderer.show(wrapText(shown, process.stdout.columns));
    // Why, right above the question, unless the action's own text says it (a protected path, a
    // project server, a hook's reason, a domain's question, which names who wants what).
    if (request.kind !== "server" && request.kind !== "hook" && request.kind !== "network" && !shown.includes(decision.why)) await renderer.notice(`Asking because ${decision.why}.`);
    const { remembered } = approvals;
    for (;;) {
      const answer = await reader.ask(`${question} ${remembered.choices(request)}`, signal);
      if (answer === null) return { approved: false, interrupted: true };
      const meaning = remembered.read(answer, request, { enterMeansDefault: reader.isTerminal });
      if (meaning.kind === "again") continue;
      if (meaning.kind === "no") return { approved: false, reason: meaning.reason };
      let note = remembered.remember(meaning, request);
      if (meaning.kind === "project" && request.kind === "network" && !approvals.allowDomainForProject(request.port === undefined ? request.host : `${request.host}:${request.port}`)) {
        note = `${note} It could not be saved: it holds for this session only.`;
      }
      if (note) await renderer.notice(note);
      return { approved: true };
    }
  };
}
