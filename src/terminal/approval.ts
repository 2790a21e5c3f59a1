import { mustAsk } from "../approval-rule.js";
import type { Config } from "../config.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import type { Approval, ApprovalRequest } from "../tools/index.js";
import { approvalText } from "./approval-text.js";
import { renderDiff } from "./diff.js";
import type { InputQueue } from "./input-queue.js";
import type { Renderer } from "./render.js";

/** A protected write is judged by its diff, so the question shows far more of it than a tool line does. */
const APPROVAL_DIFF_LINES = 400;

/**
 * The REPL's approval question: show the person what is about to happen and read their answer.
 * y / yes / ok (or Enter on the shown default) once, n (optionally with a reason the model reads),
 * p for the command's prefix and a for everything, for the rest of the session (approval-policy.ts
 * says what those cover). Ctrl-C at the question aborts the turn, which answers it as interrupted.
 */
export function replApproval(config: Config, reader: InputQueue, renderer: Renderer, policy: ApprovalPolicy) {
  return async (request: ApprovalRequest, signal: AbortSignal): Promise<Approval> => {
    // Trusting a project's server is its own question: --yes and "always" answer only calls.
    // A server's trust and a new domain are their own questions: --yes and "always" answer only calls.
    if (request.kind !== "server" && request.kind !== "network" && (config.yes || !mustAsk(request) || policy.allows(request))) return { approved: true };
    // A call running beside others asks only once its own line is shown (agent.ts).
    await request.shown;
    if (signal.aborted) return { approved: false, interrupted: true };
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
    const why = policy.whyAsking(request);
    if (why) await renderer.error(why);
    for (;;) {
      const choices = request.kind === "network" ? "[Y]es, for this session / [a]lways, for this project / [n]o: " : policy.choices(request);
      const answer = await reader.ask(`${question} ${choices}`, signal);
      if (answer === null) return { approved: false, interrupted: true };
      const meaning = policy.read(answer, request, { enterMeansDefault: reader.isTerminal });
      if (meaning.kind === "again") continue;
      // "a" at a call to an outside tool means that tool from now on; at a server's trust question, this once.
      if (meaning.kind === "all" && request.kind === "tool") {
        policy.tools.add(request.tool);
        return { approved: true };
      }
      if (meaning.kind === "all" && request.kind === "server") return { approved: true };
      if (request.kind === "network") return meaning.kind === "no" ? { approved: false, reason: meaning.reason } : { approved: true, always: meaning.kind === "all" };
      policy.apply(meaning);
      if (meaning.kind === "prefix") await renderer.notice(`Allowed \`${meaning.prefix}\` for this session (/approvals to revoke).`);
      if (meaning.kind === "all") await renderer.notice("Allowed every action for this session, except dangerous commands (/approvals to revoke).");
      if (meaning.kind === "no") return { approved: false, reason: meaning.reason };
      return { approved: true };
    }
  };
}
