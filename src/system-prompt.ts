import { realpathSync } from "node:fs";
import { join } from "node:path";
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
    "- Use exec for tests, builds and git. Servers and watchers (or background: true) become background jobs that keep running: that is success. Manage them with the exec commands bg_list, bg_logs <id>, bg_kill <id>.",
    "- The user may deny a command; then don't retry it unchanged: adapt or ask.",
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
 * AGENTS.md (or CLAUDE.md) at the workspace root, capped so it cannot crowd out the conversation.
 *
 * Contract: the project wrote this file, so it is read only as a regular file whose real path is
 * inside the workspace: a symlink out of it (to ~/.ssh/id_rsa, /proc/self/environ), a FIFO or a
 * device (/dev/zero) is passed over, and at most MAX_INSTRUCTIONS_BYTES are ever read.
 */
export function loadProjectInstructions(root: string): ProjectInstructions | undefined {
  for (const file of INSTRUCTION_FILES) {
    const real = realPathInside(root, join(root, file));
    const read = real && readCapped(real, MAX_INSTRUCTIONS_BYTES);
    if (!read) continue;
    const text = read.bytes.toString("utf8").trim();
    if (!text) continue;
    const cut = read.truncated || text.length > MAX_INSTRUCTIONS_CHARS;
    return { file, text: cut ? `${text.slice(0, MAX_INSTRUCTIONS_CHARS)}\n[…truncated]` : text };
  }
  return undefined;
}

function realPathInside(root: string, path: string): string | undefined {
  try {
    const real = realpathSync(path);
    return isInside(root, real) ? real : undefined;
  } catch {
    return undefined;
  }
}
