/**
 * Which tool calls a hook's `matcher` selects. Claude Code's matchers name its own tools, so each
 * of ours also answers to its Claude Code name: a formatter hooked on "Edit|Write" runs after
 * edit_file and write_file here.
 */

/** Claude Code's tool names → ours. */
export const CLAUDE_TOOL_NAMES: Record<string, string> = {
  Bash: "exec",
  Read: "read_file",
  Write: "write_file",
  Edit: "edit_file",
  MultiEdit: "edit_file",
  Glob: "list_files",
  LS: "list_files",
  Grep: "grep",
};

/**
 * Contract: an empty, missing or "*" matcher selects every tool; otherwise the matcher is a
 * regular expression over the whole name, tried on our name and on each Claude Code name for it.
 * A matcher that is not a valid expression matches only names equal to it.
 */
export function matchesTool(matcher: string | undefined, tool: string): boolean {
  if (matcher === undefined || matcher === "" || matcher === "*") return true;
  const names = [tool, ...Object.entries(CLAUDE_TOOL_NAMES).filter(([, ours]) => ours === tool).map(([claude]) => claude)];
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${matcher})$`);
  } catch {
    return names.includes(matcher);
  }
  return names.some((name) => pattern.test(name));
}
