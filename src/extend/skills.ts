import { readdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { parseFrontMatter } from "./front-matter.js";
import { readCapped } from "../read-capped.js";
import { isInside } from "../workspace.js";
import { oneLine } from "../text.js";

/**
 * Skills in the format Claude Code, Codex, pi, Gemini CLI and opencode share: a folder with a
 * SKILL.md whose front matter has `name` and `description`. Only those two enter the system
 * prompt (each request pays for them); the model reads SKILL.md itself when a task calls for it,
 * and read_file may read the user's skill folders although they are outside the workspace.
 *
 *   project  .mini-claude/skills/  .claude/skills/  .agents/skills/
 *   user     <config dir>/skills/  ~/.claude/skills/
 */

export interface Skill {
  name: string;
  description: string;
  /** SKILL.md: relative to the workspace when inside it, else absolute. */
  path: string;
}

export interface SkillSet {
  /** The skills listed to the model (at most MAX_LISTED_SKILLS). */
  listed: Skill[];
  /** Skills found but left out of the list by the cap. */
  unlisted: number;
  /** Every skill found, listed or not: each can be invoked as /name. */
  all: Skill[];
  /** Skill folders outside the workspace, which read_file may read (and nothing may write). */
  readOnlyRoots: string[];
}

/** Every listed skill costs tokens on every request; past this many the list is cut. */
export const MAX_LISTED_SKILLS = 24;
/** Claude Code's limit for a skill's description, which carries its "use when…" clauses. */
export const MAX_DESCRIPTION_CHARS = 1024;
const MAX_SKILL_FILE_BYTES = 64 * 1024;

export function skillFolders(workspace: string, configDir: string, home: string | undefined): string[] {
  return [
    join(workspace, ".mini-claude", "skills"),
    join(workspace, ".claude", "skills"),
    join(workspace, ".agents", "skills"),
    join(configDir, "skills"),
    ...(home ? [join(home, ".claude", "skills")] : []),
  ];
}

/** Contract: never throws; a skill without a description is skipped (the model could not choose it); the first folder to name a skill wins. */
export function loadSkills(workspace: string, folders: string[]): SkillSet {
  const found = new Map<string, Skill>();
  const readOnlyRoots: string[] = [];
  for (const folder of folders) {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      continue;
    }
    let any = false;
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!entry.isDirectory()) continue;
      const file = join(folder, entry.name, "SKILL.md");
      const read = readCapped(file, MAX_SKILL_FILE_BYTES);
      if (!read) continue;
      const { fields } = parseFrontMatter(read.bytes.toString("utf8"));
      const name = (fields.name || entry.name).trim();
      const description = oneLine(fields.description ?? "", MAX_DESCRIPTION_CHARS);
      if (!description || found.has(name)) continue;
      found.set(name, { name, description, path: isInside(workspace, file) ? relative(workspace, file) : file });
      any = true;
    }
    if (any && !isInside(workspace, folder)) readOnlyRoots.push(folder);
  }
  const all = [...found.values()];
  return { listed: all.slice(0, MAX_LISTED_SKILLS), unlisted: Math.max(0, all.length - MAX_LISTED_SKILLS), all, readOnlyRoots };
}

/** The system prompt's section: one line per skill, and how to load one. */
export function skillsSection(skills: SkillSet): string[] {
  if (skills.listed.length === 0) return [];
  const more = skills.unlisted ? [`(${skills.unlisted} more skills are installed but not listed.)`] : [];
  return [
    "",
    "Skills: when a task matches one, read its file with read_file first and follow it.",
    ...skills.listed.map((skill) => `- ${skill.name}: ${skill.description} (${skill.path})`),
    ...more,
  ];
}

/**
 * `/skill-name args`: the skill's instructions as the request, the arguments in `$ARGUMENTS` or
 * after it, and where its files are (a skill's scripts and references are relative to its folder).
 * Contract: undefined when SKILL.md can no longer be read.
 */
export function skillRequest(skill: Skill, args: string, workspace: string): string | undefined {
  const file = isAbsolute(skill.path) ? skill.path : join(workspace, skill.path);
  const read = readCapped(file, MAX_SKILL_FILE_BYTES);
  if (!read) return undefined;
  const body = parseFrontMatter(read.bytes.toString("utf8")).body.trim();
  const text = args.trim();
  const filled = body.includes("$ARGUMENTS") ? body.split("$ARGUMENTS").join(text) : text ? `${body}\n\nRequest: ${text}` : body;
  return `Use the skill "${skill.name}" (${skill.path}; paths in it are relative to ${dirname(skill.path)}/):\n\n${filled}`;
}
