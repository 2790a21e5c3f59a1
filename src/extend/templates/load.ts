import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { parseFrontMatter } from "../front-matter.js";
import { readCapped } from "../../read-capped.js";
import { commandRules, type CommandRule } from "./allowed-tools.js";
import { isFile } from "../../workspace.js";

/**
 * Prompt templates: `/name args` expands a file the person (or their project) wrote. Read from
 * where people already keep them, so files written for Claude Code, Gemini CLI or pi work as they are:
 *
 *   project  .mini-claude/commands/*.md  .claude/commands/*.md  .gemini/commands/*.toml  .pi/prompts/*.md
 *   user     <config dir>/commands/*.md  ~/.claude/commands/*.md
 *
 * The first folder to define a name wins. The person's own come first: a repository must not
 * change what a name the person relies on sends, so a project's template of the same name is
 * ignored, and the one kept says which (`shadows`) for a notice. A subfolder gives a namespace:
 * .claude/commands/git/commit.md is /git:commit, and /commit too while no other template ends in
 * that name (findTemplate).
 *
 * The shell commands a template may run (inline-commands.ts) are those its front matter's
 * `allowed-tools` covers (Claude Code's `Bash(git diff:*)`); for Gemini CLI's TOML files, those
 * its settings' `tools.allowed` covers (`run_shell_command(git diff)`), project and user.
 */

export interface PromptTemplate {
  /** Without the slash, e.g. "review" or "git:commit". */
  name: string;
  description?: string;
  /** Front matter `model`: the model for this one request. */
  model?: string;
  body: string;
  /** Gemini CLI's files use {{args}}; Markdown ones $ARGUMENTS and $1…$9. */
  syntax: "markdown" | "gemini";
  file: string;
  /** "project": the workspace's, whose commands run only once the person trusts them; "user": the person's own. */
  origin: "project" | "user";
  /** Which shell commands in the body may run. */
  commandRules: CommandRule[];
  /** The project's file of the same name that this person's template hides, when there is one. */
  shadows?: string;
}

interface Folder {
  dir: string;
  ext: ".md" | ".toml";
  origin: "project" | "user";
}

/** A template larger than this is not a prompt anyone meant to send. */
const MAX_TEMPLATE_BYTES = 256 * 1024;

export function templateFolders(workspace: string, configDir: string, home: string | undefined): Folder[] {
  return [
    { dir: join(configDir, "commands"), ext: ".md", origin: "user" },
    ...(home ? [{ dir: join(home, ".claude", "commands"), ext: ".md" as const, origin: "user" as const }] : []),
    { dir: join(workspace, ".mini-claude", "commands"), ext: ".md", origin: "project" },
    { dir: join(workspace, ".claude", "commands"), ext: ".md", origin: "project" },
    { dir: join(workspace, ".gemini", "commands"), ext: ".toml", origin: "project" },
    { dir: join(workspace, ".pi", "prompts"), ext: ".md", origin: "project" },
  ];
}

/** Gemini CLI's settings files, whose `tools.allowed` says which `!{…}` commands its TOML templates may run. */
export function geminiSettingsFiles(workspace: string, home: string | undefined): string[] {
  return [join(workspace, ".gemini", "settings.json"), ...(home ? [join(home, ".gemini", "settings.json")] : [])];
}

/** Contract: never throws; unreadable files and folders are passed over. Sorted by name. */
export function loadTemplates(folders: Folder[], geminiSettings: string[] = []): PromptTemplate[] {
  const found = new Map<string, { template: PromptTemplate; origin: Folder["origin"] }>();
  let geminiRules: CommandRule[] | undefined;
  for (const folder of folders) {
    for (const file of filesUnder(folder.dir, folder.ext)) {
      const name = relative(folder.dir, file).slice(0, -folder.ext.length).split(sep).join(":");
      if (!/^[\w.-]+(:[\w.-]+)*$/.test(name)) continue;
      const kept = found.get(name);
      if (kept) {
        if (folder.origin === "project" && kept.origin === "user") kept.template.shadows ??= file;
        continue;
      }
      const read = readCapped(file, MAX_TEMPLATE_BYTES);
      if (!read || read.truncated) continue;
      const text = read.bytes.toString("utf8");
      const template = folder.ext === ".toml" ? fromToml(text, name, file) : fromMarkdown(text, name, file);
      if (!template) continue;
      geminiRules ??= folder.ext === ".toml" ? geminiCommandRules(geminiSettings) : undefined;
      const rules = template.syntax === "gemini" ? (geminiRules ?? []) : template.commandRules;
      found.set(name, { template: { ...template, origin: folder.origin, commandRules: rules }, origin: folder.origin });
    }
  }
  return [...found.values()].map((kept) => kept.template).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The template `/name` calls: the one of that name, else the only one whose last part is that
 * name (`/commit` for `devops:commit`). Undefined when there is none or more than one.
 */
export function findTemplate(templates: PromptTemplate[], name: string): PromptTemplate | undefined {
  const exact = templates.find((t) => t.name === name);
  if (exact || name.includes(":")) return exact;
  const byLastPart = templates.filter((t) => t.name.endsWith(`:${name}`));
  return byLastPart.length === 1 ? byLastPart[0] : undefined;
}

type Parsed = Omit<PromptTemplate, "origin">;

function fromMarkdown(text: string, name: string, file: string): Parsed {
  const { fields, body } = parseFrontMatter(text);
  // Claude Code's default description is the body's first line.
  const description = fields.description || body.trim().split("\n", 1)[0]?.slice(0, 80) || undefined;
  return { name, description, model: fields.model || undefined, body: body.trim(), syntax: "markdown", file, commandRules: commandRules(fields["allowed-tools"]) };
}

/** Gemini CLI's command files: `prompt = """…"""` (or a one-line string) and an optional `description`. */
function fromToml(text: string, name: string, file: string): Parsed | undefined {
  const prompt = tomlString(text, "prompt");
  if (prompt === undefined) return undefined;
  return { name, description: tomlString(text, "description"), body: prompt.trim(), syntax: "gemini", file, commandRules: [] };
}

/** `tools.allowed` of Gemini CLI's settings files: `run_shell_command(git diff)` lets commands starting with `git diff` run. */
function geminiCommandRules(files: string[]): CommandRule[] {
  const rules: CommandRule[] = [];
  for (const file of files) {
    let allowed: unknown;
    try {
      allowed = (JSON.parse(readFileSync(file, "utf8")) as { tools?: { allowed?: unknown } })?.tools?.allowed;
    } catch {
      continue;
    }
    if (!Array.isArray(allowed)) continue;
    for (const entry of allowed) {
      const match = typeof entry === "string" ? /^run_shell_command(?:\((.*)\))?$/.exec(entry.trim()) : null;
      if (match) rules.push(match[1]?.trim() ? { kind: "prefix", prefix: match[1].trim() } : { kind: "any" });
    }
  }
  return rules;
}

function tomlString(text: string, key: string): string | undefined {
  const multi = new RegExp(`^${key}\\s*=\\s*("""|''')\\r?\\n?([\\s\\S]*?)\\1`, "m").exec(text);
  if (multi) return multi[2];
  const basic = new RegExp(`^${key}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`, "m").exec(text);
  if (basic) return basic[1].replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\(["\\])/g, "$1");
  const literal = new RegExp(`^${key}\\s*=\\s*'([^']*)'`, "m").exec(text);
  return literal?.[1];
}

function filesUnder(dir: string, ext: string, depth = 0): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && depth < 3) files.push(...filesUnder(path, ext, depth + 1));
    else if (entry.name.endsWith(ext) && isFile(path)) files.push(path);
  }
  return files;
}
