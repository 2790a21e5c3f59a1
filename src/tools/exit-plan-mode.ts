import { z } from "zod";
import { defineTool, ToolInterrupted, type ToolOutput } from "./define.js";

/**
 * The exit_plan_mode tool (Claude Code's ExitPlanMode): offered only in plan mode (plan-tools.ts),
 * it hands the finished plan to the person. The REPL shows it and asks (ctx.presentPlan); without
 * anyone to ask (--print, the Agent SDK) the plan is the turn's answer and nothing changes.
 */

export const exitPlanModeTool = defineTool({
  name: "exit_plan_mode",
  description:
    "Plan mode is on: explore and change nothing (no file tools that write; exec runs read-only). When the plan is " +
    "ready, call this with it; the user approves it, edits it or asks for more planning.",
  params: z.object({
    plan: z.string().min(1).describe("The plan, in Markdown: the steps and the files each changes"),
  }),
  summary: ({ plan }) => `exit_plan_mode (${plan.split("\n").length} lines)`,
  async run({ plan }, ctx): Promise<ToolOutput> {
    if (!ctx.presentPlan) {
      return { output: "The plan is this run's answer; nothing was changed.", display: "plan ready", endsTurn: { answer: plan } };
    }
    const verdict = await ctx.presentPlan(plan, ctx.signal);
    if (verdict === null) throw new ToolInterrupted();
    if (verdict.kind === "keep") {
      return {
        output: "The user chose to keep planning: stay in plan mode and change nothing. Their next message says what the plan lacks.",
        display: "keep planning",
        endsTurn: {},
      };
    }
    const edited = verdict.plan.trim() === plan.trim() ? "" : " (as the user edited it)";
    return {
      output: `The user approved the plan${edited}. Plan mode is over; the plan follows as their next message.`,
      display: `plan approved${edited}`,
      endsTurn: {},
    };
  },
});
