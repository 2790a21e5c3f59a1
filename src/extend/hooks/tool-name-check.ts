import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { toClaudeName } from "../../claude-names.js";
import type { HookCommand } from "./settings.js";

/**
 * Hooks that wait for a tool name mini-claude never sends, so they silently never act: a script
 * comparing `tool_name` with "MultiEdit", "WebSearch" or (written for an older mini-claude)
 * "exec", or a matcher naming only such tools. mini-claude sends Claude Code's names for its
 * built-in tools (claude-names.ts) and mcp__server__tool for MCP tools; its own names are in
 * `mini_claude_tool_name`. For /hooks and `mini-claude doctor`.
 */

/** Tool names hooks commonly compare with: Claude Code's, and ours before they were translated. */
const KNOWN_TOOL_NAMES = [
  "Bash", "Read", "Write", "Edit", "Glob", "Grep", "MultiEdit", "LS", "WebFetch", "WebSearch", "Task", "Agent",
  "NotebookEdit", "NotebookRead", "TodoWrite", "ExitPlanMode", "BashOutput", "KillShell", "KillBash",
  "exec", "read_file", "write_file", "edit_file", "list_files", "grep", "web_fetch",
];

/** The names a hook can receive as tool_name here (MCP names aside). */
const SENT = new Set(["exec", "read_file", "write_file", "edit_file", "list_files", "grep", "web_fetch", "agent"].map(toClaudeName));

/** A script's first bytes are enough to see what it compares with. */
const SCRIPT_MAX_BYTES = 64 * 1024;

export interface UnsentToolName {
  hook: HookCommand;
  /** The script (or "matcher") where the names appear. */
  where: string;
  names: string[];
}

/** Contract: never throws; unreadable scripts are skipped. */
export function unsentToolNames(hooks: HookCommand[], workspace: string): UnsentToolName[] {
  const found: UnsentToolName[] = [];
  for (const hook of hooks) {
    const alternatives = hook.matcher?.split("|").map((part) => part.trim()) ?? [];
    const unmatched = alternatives.filter((name) => KNOWN_TOOL_NAMES.includes(name) && !SENT.has(name));
    if (alternatives.length && unmatched.length === alternatives.length) found.push({ hook, where: "matcher", names: unmatched });
    for (const script of scriptsOf(hook.command, workspace)) {
      const names = comparedToolNames(readStart(script));
      if (names.length) found.push({ hook, where: script, names });
    }
  }
  return found;
}

/**
 * Tool names a script compares `tool_name` (or toolName, TOOL_NAME, .tool_name, or a variable
 * assigned from one: `TOOL=$(jq -r .tool_name)`, `const tool = input.tool_name`) with that are never sent.
 */
export function comparedToolNames(source: string): string[] {
  const lines = source.split("\n");
  const variables = lines.flatMap((line) => [...line.matchAll(/\b(\w+)\s*:?=[^=].*tool_?name/gi)].map((match) => match[1]));
  const mentions = new RegExp(`tool_?name${variables.map((name) => `|\\b${name}\\b`).join("")}`, "i");
  const names = new Set<string>();
  for (const line of lines) {
    if (!mentions.test(line)) continue;
    for (const [, name] of line.matchAll(/["'`](\w+)["'`]/g)) if (KNOWN_TOOL_NAMES.includes(name) && !SENT.has(name)) names.add(name);
  }
  return [...names];
}

/** Files the command names that exist: `node "$CLAUDE_PROJECT_DIR/.claude/hooks/guard.js"`, `~/bin/guard.sh`, `./check.py`. */
function scriptsOf(command: string, workspace: string): string[] {
  const expanded = command.replace(/\$\{?(CLAUDE_PROJECT_DIR|MINI_CLAUDE_PROJECT_DIR)\}?/g, workspace).replace(/(^|\s|["'])~\//g, `$1${homedir()}/`);
  const words = expanded.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const files = words.map((word) => word.replace(/^["']|["']$/g, "")).filter((word) => /[/.]/.test(word));
  return files.map((word) => (isAbsolute(word) ? word : resolve(workspace, word))).filter((path) => existsSync(path) && statSync(path).isFile());
}

function readStart(path: string): string {
  try {
    const fd = openSync(path, "r");
    try {
      const buffer = Buffer.alloc(SCRIPT_MAX_BYTES);
      return buffer.subarray(0, readSync(fd, buffer, 0, SCRIPT_MAX_BYTES, 0)).toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}
