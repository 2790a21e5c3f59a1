import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { leavePlanMode, modeLabel, type ModeHolder } from "../approval/mode-switch.js";
import { stripControls } from "../sanitize.js";
import type { PlanVerdict } from "../tools/index.js";
import type { InputQueue } from "./input/queue.js";
import { renderMarkdown } from "./render/markdown.js";
import type { Renderer } from "./render/render.js";

/**
 * The REPL's end of plan mode: the model's exit_plan_mode shows the plan (rendered Markdown) and
 * asks implement, edit or keep planning. Implement returns to the mode plan mode was entered
 * from and hands the plan (as edited) to the REPL, which sends it as the next request; edit opens
 * $VISUAL / $EDITOR on it in a temp file and asks again; keep planning stays in plan mode.
 */

const QUESTION = "Implement this plan? [y]es, [e]dit it in $EDITOR, [k]eep planning: ";

/** The request that carries an approved plan. */
export function implementRequest(plan: string): string {
  return `Implement this plan:\n\n${plan.trim()}`;
}

export function replPlanQuestion(options: { approvals: ModeHolder; reader: InputQueue; renderer: Renderer; onImplement: (plan: string) => void }) {
  const { approvals, reader, renderer, onImplement } = options;
  return async (proposed: string, signal: AbortSignal): Promise<PlanVerdict> => {
    let plan = proposed;
    for (;;) {
      await renderer.flush();
      const color = renderer.colors.isColorSupported;
      const safe = stripControls(plan.trim());
      const shown = color ? await renderMarkdown(safe, { color: true, width: process.stdout.columns }).catch(() => safe) : safe;
      await renderer.show(`\n${renderer.colors.cyan("Plan:")}\n${shown}\n`);
      const answer = await reader.ask(QUESTION, signal);
      if (answer === null) return null;
      const choice = answer.trim().toLowerCase();
      if (choice === "" || choice === "y" || choice === "yes" || choice === "implement") {
        const back = leavePlanMode(approvals);
        await renderer.notice(`Plan mode off (${modeLabel(back) ?? "default"} mode); the plan goes as your next request.`);
        onImplement(plan);
        return { kind: "implement", plan };
      }
      if (choice === "e" || choice === "edit") {
        const edited = editInEditor(plan, reader);
        if (typeof edited === "string") plan = edited;
        else await renderer.error(edited.problem);
        continue;
      }
      if (choice === "k" || choice === "keep" || choice === "n" || choice === "no") {
        await renderer.notice("Still in plan mode: say what the plan lacks.");
        return { kind: "keep" };
      }
      await renderer.error(`Answer y (implement), e (edit) or k (keep planning).`);
    }
  };
}

/**
 * The plan after the person edited it in their editor ($VISUAL, $EDITOR, else vi), or why it
 * could not be: the editor failed, or left the file empty (the plan stays as it was).
 */
function editInEditor(plan: string, reader: InputQueue): string | { problem: string } {
  const folder = mkdtempSync(join(tmpdir(), "mini-claude-plan-"));
  const file = join(folder, "plan.md");
  try {
    writeFileSync(file, plan.endsWith("\n") ? plan : `${plan}\n`, { mode: 0o600 });
    const editor = process.env.VISUAL || process.env.EDITOR || "vi";
    // The editor setting may carry its own arguments ("code --wait"): the shell splits it, the file is one argument.
    const ran = reader.lendTerminal(() => spawnSync("/bin/sh", ["-c", `${editor} "$1"`, "editor", file], { stdio: "inherit" }));
    if (ran.error || ran.status !== 0) return { problem: `The editor (${editor}) failed${ran.error ? `: ${ran.error.message}` : ` with exit code ${ran.status}`}; the plan is unchanged.` };
    const edited = readFileSync(file, "utf8");
    if (!edited.trim()) return { problem: "The edited plan was empty; the plan is unchanged." };
    return edited;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
