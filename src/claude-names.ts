import { isAbsolute, relative, resolve, sep } from "node:path";

/**
 * The one mapping between mini-claude's tools and Claude Code's, for every surface a
 * Claude-format consumer reads (hook payloads, permission rules, Claude-dialect JSON): built-in
 * tools are named and shaped as Claude Code names and shapes them (exec → Bash with `command`,
 * `timeout`, `run_in_background`; read_file → Read with an absolute `file_path`, …). MCP tools are
 * already `mcp__server__tool` and any other name passes through unchanged. A leaf: imports
 * nothing of ours.
 */

/** Our tool → Claude Code's name for it. */
const CLAUDE_NAME: Record<string, string> = {
  exec: "Bash",
  read_file: "Read",
  write_file: "Write",
  edit_file: "Edit",
  list_files: "Glob",
  grep: "Grep",
  agent: "Agent",
  exit_plan_mode: "ExitPlanMode",
  web_fetch: "WebFetch",
};

/** Older Claude Code tools whose calls ours also cover, for matchers and rules written for them. */
const OLDER_CLAUDE_NAMES: Record<string, string> = { MultiEdit: "edit_file", LS: "list_files", Task: "agent" };

type Input = Record<string, unknown>;

/** What a finished call gave, as toClaudeResponse needs it (a ToolResult has these fields). */
export interface CallOutcome {
  ok: boolean;
  output: string;
  exitCode?: number;
  diff?: { before: string; after: string };
}

// Object.hasOwn: a name like "constructor" must not find Object.prototype's.
export function toClaudeName(name: string): string {
  return Object.hasOwn(CLAUDE_NAME, name) ? CLAUDE_NAME[name] : name;
}

/** The tool of ours a Claude Code name denotes (`Bash` → exec, `MultiEdit` → edit_file); undefined for a name we lack. */
export function fromClaudeName(name: string): string | undefined {
  return Object.entries(CLAUDE_NAME).find(([, claude]) => claude === name)?.[0] ?? (Object.hasOwn(OLDER_CLAUDE_NAMES, name) ? OLDER_CLAUDE_NAMES[name] : undefined);
}

/** Every Claude Code name that denotes our tool `name` (its own name first), for matchers. */
export function claudeNamesOf(name: string): string[] {
  const older = Object.entries(OLDER_CLAUDE_NAMES).filter(([, ours]) => ours === name).map(([claude]) => claude);
  return Object.hasOwn(CLAUDE_NAME, name) ? [CLAUDE_NAME[name], ...older] : [];
}

/**
 * Our arguments in Claude Code's `tool_input` shape for tool `name`; paths absolute, as Claude
 * Code sends them. Fields Claude Code has no name for keep ours (exec's `network`).
 * Contract: never throws; anything but an object (arguments that did not parse) comes back as {}.
 */
export function toClaudeInput(name: string, args: unknown, root: string): Input {
  if (typeof args !== "object" || args === null || Array.isArray(args)) return {};
  const a = args as Input;
  const path = (value: unknown) => (typeof value === "string" ? absolute(root, value) : value);
  switch (name) {
    case "exec":
      return defined({
        command: a.command,
        timeout: a.timeout_ms,
        run_in_background: a.background,
        dangerouslyDisableSandbox: a.sandbox === false ? true : undefined,
        network: a.network,
      });
    case "read_file":
      return defined({ file_path: path(a.path), offset: a.offset, limit: a.limit });
    case "write_file":
      return defined({ file_path: path(a.path), content: a.content });
    case "edit_file":
      return defined({ file_path: path(a.path), old_string: a.old_string, new_string: a.new_string, replace_all: a.replace_all });
    case "list_files":
      return defined({ pattern: a.pattern ?? "**/*", path: path(a.path ?? ".") });
    case "grep":
      return defined({ pattern: a.pattern, path: path(a.path ?? "."), glob: a.glob, "-i": a.ignore_case, output_mode: "content", "-n": true });
    default:
      return a;
  }
}

/**
 * The inverse of toClaudeInput, for a hook's `updatedInput`: Claude Code's fields back to ours
 * (paths inside the workspace made relative again). Unknown fields are kept, so the tool's own
 * schema check reports them rather than this silently dropping them.
 */
export function fromClaudeInput(name: string, input: Input, root: string): Input {
  const path = (value: unknown) => (typeof value === "string" ? workspaceRelative(root, value) : value);
  const { file_path, ...rest } = input;
  switch (name) {
    case "exec": {
      const { timeout, run_in_background, dangerouslyDisableSandbox, description: _description, ...others } = input;
      return defined({ ...others, timeout_ms: timeout, background: run_in_background, sandbox: dangerouslyDisableSandbox === true ? false : undefined });
    }
    case "read_file":
    case "write_file":
    case "edit_file":
      return defined({ ...rest, path: path(file_path ?? rest.path) });
    case "list_files":
      return defined({ ...input, path: path(input.path) });
    case "grep": {
      const { "-i": ignoreCase, "-n": _lineNumbers, output_mode: _mode, ...others } = input;
      return defined({ ...others, path: path(input.path), ignore_case: ignoreCase });
    }
    default:
      return input;
  }
}

/**
 * A finished call's result in Claude Code's `tool_response` shape for that tool (Bash: stdout,
 * stderr, interrupted, isImage; Write: type, filePath, content; Edit: filePath, oldString,
 * newString; Read: {type: "text", file}; Glob: filenames; Grep: content). A command's output
 * reaches us merged, as a terminal shows it, so Bash's `stderr` is "" and `stdout` holds both;
 * its exit code is in `exit_code`. Other tools (MCP) get `{ content, is_error }`.
 */
export function toClaudeResponse(name: string, args: unknown, outcome: CallOutcome, root: string): Input {
  const input = toClaudeInput(name, args, root);
  const { output } = outcome;
  switch (name) {
    case "exec": {
      const ran = outcome.exitCode !== undefined;
      const stdout = ran ? withoutExitLine(output) : output;
      return defined({ stdout, stderr: "", interrupted: !ran && /^(Interrupted|Timed out|Killed)/.test(output), isImage: false, exit_code: outcome.exitCode });
    }
    case "read_file": {
      const lines = output.split("\n").filter((line) => /^\d+\t/.test(line));
      const total = /\[Lines \d+-\d+ of (\d+)/.exec(output)?.[1];
      const file = { filePath: input.file_path, content: lines.map((line) => line.replace(/^\d+\t/, "")).join("\n"), numLines: lines.length, startLine: input.offset ?? 1 };
      return { type: "text", file: total ? { ...file, totalLines: Number(total) } : file };
    }
    case "write_file": {
      const created = output.startsWith("Created");
      return { type: created ? "create" : "update", filePath: input.file_path, content: input.content, originalFile: created ? null : (outcome.diff?.before ?? null), success: outcome.ok };
    }
    case "edit_file":
      return { filePath: input.file_path, oldString: input.old_string, newString: input.new_string, replaceAll: input.replace_all ?? false, originalFile: outcome.diff?.before ?? null, userModified: false };
    case "list_files": {
      const filenames = output.split("\n").filter((line) => line && !line.startsWith("[") && !line.startsWith("(")).map((line) => absolute(root, line));
      return { filenames, numFiles: filenames.length, truncated: /\[.*(more|cut|first)/i.test(output) };
    }
    case "grep": {
      const lines = output.split("\n").filter((line) => /^[^:\n]+:\d+:/.test(line));
      return { mode: "content", content: lines.join("\n"), numLines: lines.length, filenames: [...new Set(lines.map((line) => absolute(root, line.split(":", 1)[0])))] };
    }
    default:
      return { content: output, is_error: !outcome.ok };
  }
}

/** A finished command's observation without the "exit code N (1.2s)" line exec.ts adds after the output. */
function withoutExitLine(observation: string): string {
  const footers = [...observation.matchAll(/(?:^|\n\n)exit code -?\d+ \([\d.]+s\)(?=\n|$)/g)];
  const last = footers.at(-1);
  if (!last) return observation;
  const text = observation.slice(0, last.index) + observation.slice(last.index + last[0].length);
  return text === "(no output)" ? "" : text;
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

function workspaceRelative(root: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const inside = relative(root, path);
  return inside === "" ? "." : inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside) ? path : inside;
}

function defined(input: Input): Input {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}
