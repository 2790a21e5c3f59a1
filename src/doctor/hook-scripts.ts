import { realpathSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { readCapped } from "../read-capped.js";
import { isInside } from "../workspace.js";
import { HOOK_PAYLOAD } from "./features.js";

/**
 * A hook's command, and the script it runs when that is a file in the project, read for what
 * would silently go wrong here: a comparison of `tool_name` with a name mini-claude never sends
 * (a guard written `if tool_name != "Bash": allow` then allows everything), and payload fields
 * mini-claude does not send. Text patterns, not a parser: it flags what to look at.
 */

const MAX_SCRIPT_BYTES = 256 * 1024;

export interface ScriptFinding {
  /** The file read (relative to the workspace), or "the command" for an inline one. */
  where: string;
  problem: string;
}

export function hookFindings(command: string, workspace: string): ScriptFinding[] {
  const findings = findingsIn(command, "the command");
  for (const file of scriptFiles(command, workspace)) {
    const read = readCapped(file.real, MAX_SCRIPT_BYTES);
    if (read && !read.bytes.includes(0)) findings.push(...findingsIn(read.bytes.toString("utf8"), file.shown));
  }
  return findings;
}

function findingsIn(text: string, where: string): ScriptFinding[] {
  const findings: ScriptFinding[] = [];
  for (const name of comparedToolNames(text)) {
    if (name.startsWith("mcp__")) continue;
    const ours = HOOK_PAYLOAD.ourNames[name];
    if (!HOOK_PAYLOAD.claudeNames.includes(name)) {
      findings.push({ where, problem: `compares tool_name with "${name}", a tool mini-claude does not have` });
    } else if (HOOK_PAYLOAD.toolNames === "mini-claude" && ours) {
      findings.push({ where, problem: `compares tool_name with "${name}", but mini-claude sends "${ours}": the test never matches (a guard that lets other tools pass lets everything pass)` });
    }
  }
  for (const field of HOOK_PAYLOAD.missing) {
    if (new RegExp(`(\\.|\\[["'])${field}\\b|get\\(["']${field}`).test(text)) findings.push({ where, problem: `reads ${field}, which mini-claude does not send` });
  }
  if (/tool_response/.test(text)) {
    for (const field of HOOK_PAYLOAD.missingResponseFields) {
      if (new RegExp(`(\\.|\\[["']|get\\(["'])${field}\\b`).test(text)) findings.push({ where, problem: `reads tool_response.${field}; mini-claude's tool_response has ok, output, exit_code` });
    }
  }
  return findings;
}

/**
 * Quoted capitalised names (and `case` patterns) on the lines that look at tool_name, or at a
 * variable that holds it (`TOOL=$(jq -r .tool_name)`, `tool = data.get("tool_name")`).
 */
function comparedToolNames(text: string): string[] {
  const names = new Set<string>();
  const aliases = ["tool_name", ...[...text.matchAll(/\b([A-Za-z_]\w*)\s*:?=(?!=)[^\n]*tool_name/g)].map((match) => match[1])];
  const mentions = new RegExp(`\\b(${[...new Set(aliases)].join("|")})\\b`, "i");
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    if (!mentions.test(line)) return;
    for (const match of line.matchAll(/["']((?:mcp__[\w-]+)|[A-Z][A-Za-z]+)["']/g)) names.add(match[1]);
    // Shell: case "$tool_name" in Bash) …;; Write|Edit) …;; esac
    if (/\bcase\b/.test(line)) {
      for (const next of lines.slice(index + 1, index + 40)) {
        if (/\besac\b/.test(next)) break;
        const pattern = /^\s*\(?([A-Za-z_|"'*]+)\)/.exec(next);
        for (const name of pattern?.[1].replace(/["']/g, "").split("|") ?? []) if (/^[A-Z][A-Za-z]+$|^mcp__/.test(name)) names.add(name);
      }
    }
  });
  return [...names];
}

/** Words of the command that name a regular file inside the workspace (`$CLAUDE_PROJECT_DIR` expanded). */
function scriptFiles(command: string, workspace: string): Array<{ real: string; shown: string }> {
  const expanded = command.replace(/\$\{?(CLAUDE_PROJECT_DIR|MINI_CLAUDE_PROJECT_DIR)\}?/g, workspace);
  const files: Array<{ real: string; shown: string }> = [];
  for (const word of expanded.split(/[\s;&|]+/)) {
    const token = word.replace(/["']/g, "");
    if (!token || token.startsWith("-")) continue;
    try {
      const real = realpathSync(isAbsolute(token) ? token : resolve(workspace, token));
      if (isInside(workspace, real) && real !== workspace && !files.some((file) => file.real === real)) {
        files.push({ real, shown: real.slice(workspace.length + 1) });
      }
    } catch {
      // Not a file: a program name, a flag's value, a pattern.
    }
  }
  return files;
}
