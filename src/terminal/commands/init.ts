import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TemplateRequest } from "./templates.js";

/**
 * /init: an ordinary request, from a built-in template, asking the model to look at the project and
 * write AGENTS.md (the instructions file mini-claude and other agents read). The model works with
 * its usual tools and approvals; nothing here writes a file.
 */

const ASK = [
  "Look at this project and write AGENTS.md at its root: what a coding agent must know before working here.",
  "First read what tells you most (the README, the package or build files, the CI config, a few central source files); change nothing else and run nothing that changes anything.",
  "Keep it short (at most about 60 lines) and specific to this project: what it is in two lines; the exact commands to install, build, test (one test file too) and lint; where the code lives and what each main folder owns; the conventions a newcomer would get wrong.",
  "No generic advice, nothing you did not see in the project.",
].join(" ");

/** The request /init sends; `focus` is what the person added after the command. */
export function initRequest(workspace: string, focus: string): TemplateRequest {
  const existing = ["AGENTS.md", "CLAUDE.md"].filter((name) => existsSync(join(workspace, name)));
  const notes = [
    existing.includes("AGENTS.md") ? "AGENTS.md exists already: read it first and improve it, keeping what is still true." : "",
    existing.includes("CLAUDE.md") ? "CLAUDE.md exists: take what is still true from it." : "",
    focus ? `Also: ${focus}` : "",
  ].filter(Boolean);
  return { prompt: [ASK, ...notes].join("\n\n"), expanded: true };
}
