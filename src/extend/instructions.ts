import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { readCapped } from "../read-capped.js";
import { isInside } from "../workspace.js";

/**
 * The instructions files people already write for coding agents, read the way Claude Code and
 * Codex read them:
 *
 *   user     ~/.claude/CLAUDE.md
 *   project  AGENTS.md, CLAUDE.md, CLAUDE.local.md in the workspace and each folder above it up
 *            to the git root (farthest first, nearest last: the nearest wins)
 *   imports  `@path` in any of them (relative to the importing file, or `@~/…`), at most
 *            MAX_IMPORT_DEPTH hops deep; an import inside a code span or block is text
 *
 * Each real file is read once, so the common "CLAUDE.md: See @AGENTS.md" layout does not pay for
 * AGENTS.md twice: a line that only imports files already loaded is dropped.
 *
 * Contract: a project wrote these files, so each is read only as a regular file whose real path
 * is inside its boundary: the folder of the instructions file that was found (AGENTS.md,
 * CLAUDE.md…) for it and its imports, `~/.claude/` for the person's file and for every `@~/`
 * import. A symlink or import out of it (to ~/.ssh/id_rsa, /proc/self/environ), a FIFO or a
 * device is passed over, and at most MAX_INSTRUCTIONS_BYTES are read in all.
 */

export const MAX_INSTRUCTIONS_CHARS = 8000;
/** Enough bytes for MAX_INSTRUCTIONS_CHARS of any UTF-8 text. */
const MAX_INSTRUCTIONS_BYTES = MAX_INSTRUCTIONS_CHARS * 4;
export const MAX_IMPORT_DEPTH = 5;
export const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md", "CLAUDE.local.md"];

export interface InstructionsSection {
  /** As the person and the model know it: relative to the workspace, or `~/…`. */
  file: string;
  text: string;
}

export interface ProjectInstructions {
  /** Every file read, comma-separated, for the banner and the prompt's heading. */
  file: string;
  /** The files whose text is in `text`, in order, for /context. */
  sections: InstructionsSection[];
  text: string;
  /** Real paths of every file read, so a subfolder's imports do not repeat them. */
  realPaths: string[];
  /** Imports that were not followed, and why (for doctor). */
  skipped: SkippedImport[];
}

export interface SkippedImport {
  /** The file that has the import, as in `file`. */
  from: string;
  token: string;
  why: string;
}

/** Reads instructions files and their imports; remembers what it read, so nothing is read twice. */
export class InstructionsReader {
  /** Real paths already read. */
  readonly seen = new Set<string>();
  /** Every file read, including one that added nothing new (a CLAUDE.md that only imports AGENTS.md). */
  readonly files: string[] = [];
  /** Imports that name a file that is missing, or outside the boundary. */
  readonly skipped: SkippedImport[] = [];
  private budget = MAX_INSTRUCTIONS_BYTES;

  constructor(
    private readonly root: string,
    private readonly home: string | undefined,
  ) {}

  /** The sections `path` gives (itself, then its imports), or none when it cannot or need not be read. */
  read(path: string, boundary: string, depth = 0): InstructionsSection[] {
    const real = realPathInside(boundary, path);
    if (!real || this.seen.has(real) || this.budget <= 0) return [];
    const read = readCapped(real, this.budget);
    if (!read || read.bytes.includes(0)) return [];
    this.seen.add(real);
    this.budget -= read.bytes.length;
    const file = this.label(path);
    this.files.push(file);
    const imports = depth < MAX_IMPORT_DEPTH ? this.importsOf(read.bytes.toString("utf8"), path, boundary) : [];
    const text = withoutRepeatedImports(read.bytes.toString("utf8"), imports, this.seen).trim();
    const own = text ? [{ file, text }] : [];
    return [...own, ...imports.flatMap((found) => this.read(found.path, found.boundary, depth + 1))];
  }

  /**
   * The `@path` imports of `text` that name a readable file inside their boundary, and those that
   * name a file already read (whatever its boundary: its text is in the prompt already).
   */
  private importsOf(text: string, from: string, boundary: string): Array<{ token: string; path: string; real: string; boundary: string }> {
    const found = [];
    for (const match of withoutCode(text).matchAll(/(^|\s)@((?:[^\s\\]|\\ )+)/g)) {
      const token = match[2].replace(/[.,;:!?)]+$/, "");
      const home = token.startsWith("~/") ? this.home : undefined;
      if (token.startsWith("~/") && !home) continue;
      const path = home ? join(home, token.slice(2)) : isAbsolute(token) ? token : resolve(dirname(from), token.replace(/\\ /g, " "));
      const within = home ? join(home, ".claude") : boundary;
      const real = realPathInside(within, path) ?? realPathInside("/", path);
      if (real && (this.seen.has(real) || isInside(realPathInside("/", within) ?? within, real))) found.push({ token, path, real, boundary: within });
      else if (real) this.skipped.push({ from: this.label(from), token, why: `points outside ${this.label(within) ? `${this.label(within)}/` : "the workspace"}; not read` });
      else if (/\.md$|^(\.{1,2}|~)?\//.test(token)) this.skipped.push({ from: this.label(from), token, why: "not found" });
    }
    return found;
  }

  private label(path: string): string {
    if (isInside(this.root, path)) return relative(this.root, path);
    if (this.home && isInside(join(this.home, ".claude"), path)) return `~/${relative(this.home, path)}`;
    return relative(this.root, path);
  }
}

/** Everything instructions say at start-up: the person's file, then the project's from the git root down to the workspace. */
export function loadProjectInstructions(root: string, home: string | undefined = process.env.HOME): ProjectInstructions | undefined {
  const reader = new InstructionsReader(root, home);
  const sections: InstructionsSection[] = [];
  if (home) sections.push(...reader.read(join(home, ".claude", "CLAUDE.md"), join(home, ".claude")));
  const chain = foldersToGitRoot(root);
  for (const dir of chain) for (const name of INSTRUCTION_FILES) sections.push(...reader.read(join(dir, name), dir));
  const joined = joinSections(reader.files, sections, MAX_INSTRUCTIONS_CHARS);
  return joined && { ...joined, realPaths: [...reader.seen], skipped: reader.skipped };
}

/** The workspace and its parents up to the folder holding `.git`, farthest first; only the workspace when it is in no repository. */
export function foldersToGitRoot(root: string): string[] {
  const chain = [root];
  for (let dir = root; ; ) {
    if (existsSync(join(dir, ".git"))) return chain.reverse();
    const parent = dirname(dir);
    if (parent === dir) return [root];
    dir = parent;
    chain.push(dir);
  }
}

/** One text for the model, capped at `maxChars`; a single file is its text alone. */
export function joinSections(files: string[], sections: InstructionsSection[], maxChars: number): Omit<ProjectInstructions, "realPaths" | "skipped"> | undefined {
  if (!sections.length) return undefined;
  const joined =
    sections.length === 1
      ? sections[0].text
      : `${sections.map((s) => `[${s.file}]\n${s.text}`).join("\n\n")}\n(Where these disagree, the later file, nearer the workspace, wins.)`;
  const text = joined.length > maxChars ? `${joined.slice(0, maxChars)}\n[…truncated]` : joined;
  return { file: files.join(", "), sections, text };
}

/** Lines that only import files already loaded say nothing new. */
function withoutRepeatedImports(text: string, imports: Array<{ token: string; real: string }>, seen: Set<string>): string {
  const repeated = new Set(imports.filter((found) => seen.has(found.real)).map((found) => `@${found.token}`));
  if (!repeated.size) return text;
  return text
    .split("\n")
    .filter((line) => {
      const words = line.trim().split(/\s+/).map((word) => word.replace(/[.,;:!?)]+$/, ""));
      return !(line.trim() && words.every((word) => repeated.has(word)));
    })
    .join("\n");
}

/** The text with fenced blocks and code spans blanked, so an `@` in code is not an import. */
function withoutCode(text: string): string {
  return text.replace(/^(```|~~~)[\s\S]*?^\1/gm, " ").replace(/`[^`\n]*`/g, " ");
}

function realPathInside(boundary: string, path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return isInside(realpathSync(boundary), real) ? real : undefined;
  } catch {
    return undefined;
  }
}
