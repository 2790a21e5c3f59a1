import { existsSync, realpathSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { readCapped } from "./read-capped.js";
import { isInside } from "./workspace.js";

const MAX_INSTRUCTIONS_CHARS = 8000;
/** Enough bytes for MAX_INSTRUCTIONS_CHARS of any UTF-8 text. */
const MAX_INSTRUCTIONS_BYTES = MAX_INSTRUCTIONS_CHARS * 4;
const INSTRUCTION_FILES = ["AGENTS.md", "CLAUDE.md"];

export interface ProjectInstructions {
  file: string;
  text: string;
}

/**
 * The operations manual the model gets on every request. Every token here is paid on every
 * call, so it says only what changes the model's behaviour.
 */
export function systemPrompt(options: { root: string; instructions?: ProjectInstructions; now?: Date; /** skills.ts's section, when skills are installed. */ skills?: string[] }): string {
  const date = (options.now ?? new Date()).toISOString().slice(0, 10);
  const shell = process.env.SHELL ?? "/bin/sh";
  const lines = [
    "You are mini-claude, a coding agent working in the user's project through tools.",
    `Workspace: ${options.root} (platform ${process.platform}, shell ${shell}, date ${date}). File tools only reach paths inside it; use relative paths.`,
    "",
    "How to work:",
    "- Act, don't just advise: use the tools to inspect, change and verify the code, then answer.",
    "- Read a file (read_file) before editing it. Use edit_file for changes to existing files and write_file only for new files or full rewrites.",
    "- read_file shows numbered lines; never copy the numbers into old_string. Long files: continue with offset.",
    "- Look around with list_files and grep rather than the shell.",
    // exec's description covers background jobs, and a denial's observation says not to retry it unchanged.
    "- Use exec for tests, builds and git.",
    "- If a tool returns an Error, read it, fix the call and retry; don't repeat the same failing call.",
    "- Keep changes minimal and in the project's style. Never claim you ran or verified something you didn't.",
    "- Be concise. End with a short summary of what you changed (files touched) and anything left to do.",
  ];
  if (options.instructions) {
    lines.push("", `Project instructions from ${options.instructions.file}:`, options.instructions.text);
  }
  if (options.skills) lines.push(...options.skills);
  return lines.join("\n");
}

/**
 * AGENTS.md (or CLAUDE.md) at the workspace root and in each folder above it up to the git root
 * (the workspace's own repository: nothing above it), capped together so they cannot crowd out
 * the conversation. The farthest comes first and the nearest last, and the model is told that
 * the nearest wins where they disagree. `file` names every file read, relative to the workspace.
 *
 * Contract: a project wrote these files, so each is read only as a regular file whose real path
 * is inside its own folder: a symlink out of it (to ~/.ssh/id_rsa, /proc/self/environ), a FIFO or
 * a device (/dev/zero) is passed over, and at most MAX_INSTRUCTIONS_BYTES are ever read in all.
 */
export function loadProjectInstructions(root: string): ProjectInstructions | undefined {
  const found: Array<{ file: string; text: string }> = [];
  let budget = MAX_INSTRUCTIONS_BYTES;
  for (const dir of foldersToGitRoot(root)) {
    for (const name of INSTRUCTION_FILES) {
      const real = realPathInside(dir, join(dir, name));
      const read = real && budget > 0 && readCapped(real, budget);
      if (!read) continue;
      const text = read.bytes.toString("utf8").trim();
      if (!text) continue;
      budget -= read.bytes.length;
      found.push({ file: relative(root, join(dir, name)) || name, text });
      break;
    }
  }
  if (!found.length) return undefined;
  const file = found.map((f) => f.file).join(", ");
  const joined =
    found.length === 1
      ? found[0].text
      : `${found.map((f) => `[${f.file}]\n${f.text}`).join("\n\n")}\n(Where these disagree, the later file, nearer the workspace, wins.)`;
  const cut = joined.length > MAX_INSTRUCTIONS_CHARS || budget <= 0;
  return { file, text: cut ? `${joined.slice(0, MAX_INSTRUCTIONS_CHARS)}\n[…truncated]` : joined };
}

/** The workspace and its parents up to the folder holding `.git`, farthest first; only the workspace when it is in no repository. */
function foldersToGitRoot(root: string): string[] {
  const chain = [root];
  for (let dir = root; ; ) {
    if (existsSync(join(dir, ".git"))) return chain.reverse();
    const parent = dirname(dir);
    if (parent === dir) return [root];
    dir = parent;
    chain.push(dir);
  }
}

function realPathInside(root: string, path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return isInside(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}
