import type { PermissionMode } from "../config/claude-flags.js";

/**
 * The permission mode as the person switches it in the REPL: /plan toggles plan mode, Shift+Tab
 * cycles default → acceptEdits → plan, and approving a plan goes back to the mode before it. The
 * mode itself is the approvals' (setup.ts), which the decision, the tools offered and exec read
 * at every request; the Agent SDK sets it too (set_permission_mode).
 */

/** What Shift+Tab steps through, in Claude Code's order. */
const MODE_CYCLE: readonly PermissionMode[] = ["default", "acceptEdits", "plan"];

/** The holder of the mode: the session's approvals. */
export interface ModeHolder {
  permissionMode: PermissionMode;
  /** The mode plan mode was entered from, which approving the plan returns to. */
  modeBeforePlan?: PermissionMode;
}

/** Shift+Tab's next mode; from a mode outside the cycle (bypassPermissions, dontAsk) it starts again at default. */
export function nextMode(mode: PermissionMode): PermissionMode {
  const at = MODE_CYCLE.indexOf(mode);
  return at < 0 ? "default" : MODE_CYCLE[(at + 1) % MODE_CYCLE.length]!;
}

/** Switch to `mode`, remembering where plan mode was entered from. */
export function switchMode(holder: ModeHolder, mode: PermissionMode): void {
  if (mode === "plan" && holder.permissionMode !== "plan") holder.modeBeforePlan = holder.permissionMode;
  holder.permissionMode = mode;
}

/** Leave plan mode for the mode it was entered from (default when it started in plan mode); returns that mode. */
export function leavePlanMode(holder: ModeHolder): PermissionMode {
  const back = holder.modeBeforePlan ?? "default";
  holder.modeBeforePlan = undefined;
  holder.permissionMode = back;
  return back;
}

/** The mode in a few words for the prompt, the banner and /usage; undefined for default. */
export function modeLabel(mode: PermissionMode): string | undefined {
  switch (mode) {
    case "default":
    case "auto":
      return undefined;
    case "acceptEdits":
      return "accept edits";
    case "bypassPermissions":
      return "bypass permissions";
    case "dontAsk":
      return "don't ask";
    case "plan":
      return "plan";
  }
}

/** One line saying what the mode means, for the banner, /plan and /usage. */
export function modeLine(mode: PermissionMode): string {
  switch (mode) {
    case "plan":
      return "Plan mode: the model looks and plans, changes nothing (no write tools; commands run read-only in the sandbox), and ends with a plan for you to approve. /plan or Shift+Tab leaves it.";
    case "acceptEdits":
      return "Permission mode accept edits: file edits run without asking, protected paths too. Shift+Tab switches mode.";
    case "bypassPermissions":
      return "Permission mode bypass permissions: nothing asks; deny rules still refuse.";
    case "dontAsk":
      return "Permission mode don't ask: what would ask is refused.";
    default:
      return "Permission mode default. Shift+Tab switches mode (accept edits, plan).";
  }
}

/** /plan: into plan mode, or back to the mode it was entered from; the line saying the mode now. */
export function togglePlanMode(holder: ModeHolder): string {
  if (holder.permissionMode === "plan") return modeLine(leavePlanMode(holder));
  switchMode(holder, "plan");
  return modeLine("plan");
}
