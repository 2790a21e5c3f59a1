import type { PermissionSettings } from "../../approval/permission-settings.js";
import type { InputQueue } from "../input/queue.js";
import type { Renderer } from "../render/render.js";

/**
 * /permissions and the REPL's trust question for a project's allow rules: a repository that
 * allows itself `Bash` would otherwise run every command unasked, so its allow rules (and
 * domains) apply once the person has seen them and said yes; remembered until they change.
 */
export async function askPermissionTrust(permissions: PermissionSettings, reader: InputQueue, renderer: Renderer): Promise<void> {
  const waiting = permissions.untrusted();
  if (waiting.length === 0) return;
  if (!reader.isTerminal) {
    await renderer.notice("This project's permissions.allow rules were not applied: they are trusted only when the REPL asks in a terminal.");
    return;
  }
  await renderer.notice(`This project's settings allow these without asking:\n${waiting.map((rule) => `  ${rule}`).join("\n")}`);
  const answer = await reader.ask("Apply them? [y]es / [n]o: ", new AbortController().signal);
  if (answer !== null && /^y(es)?$/i.test(answer.trim())) {
    const saved = permissions.trust();
    await renderer.notice(saved ? "Applied; you will be asked again if they change." : "Applied for this session (the decision could not be saved).");
  } else {
    await renderer.notice("The project's allow rules will not apply this session (its deny and ask rules do).");
  }
}

/** /permissions: every rule found, its list, its file, and whether it applies. */
export function permissionsReport(permissions: PermissionSettings): string {
  const lines: string[] = [];
  for (const list of ["deny", "ask", "allow"] as const) {
    const entries = permissions.listed.filter((entry) => entry.list === list);
    if (entries.length === 0) continue;
    lines.push(`${list}:`);
    for (const { rule, scope } of entries) {
      const state =
        rule.tool === "elsewhere" ? ", no such tool here: never matches" : list === "allow" && scope === "project" && !permissions.projectTrusted ? ", project not trusted: not applied" : "";
      lines.push(`  ${rule.text}\n      from ${rule.source} (${scope}${state})`);
    }
  }
  if (lines.length === 0) lines.push('No permission rules. Add them under "permissions": {"allow": [...], "ask": [...], "deny": [...]} in .claude/settings.json (project) or ~/.claude/settings.json (yours), in Claude Code\'s syntax, e.g. "Bash(npm test:*)", "Read(./.env)".');
  const mode = permissions.defaultMode;
  if (mode) lines.push(`defaultMode: ${mode.mode} (${mode.source})${mode.mode === "bypassPermissions" ? ": no questions, as --yes; deny rules still hold" : ""}`);
  for (const problem of permissions.problems) lines.push(`! ${problem}`);
  return lines.join("\n");
}
