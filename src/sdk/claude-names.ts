/**
 * Claude Code's names and argument shapes for mini-claude's built-in tools, for every surface a
 * Claude-format consumer reads (the Agent SDK protocol, `--json-dialect claude`, `--tools`).
 * MCP tools are `mcp__server__tool` on both sides. mini-claude's own names stay in its own surfaces.
 */

interface ToolName {
  ours: string;
  claude: string;
  /** Our argument name → Claude's, where they differ. */
  fields?: Record<string, string>;
}

const TOOLS: ToolName[] = [
  { ours: "exec", claude: "Bash", fields: { timeout_ms: "timeout", background: "run_in_background" } },
  { ours: "read_file", claude: "Read", fields: { path: "file_path" } },
  { ours: "write_file", claude: "Write", fields: { path: "file_path" } },
  { ours: "edit_file", claude: "Edit", fields: { path: "file_path" } },
  { ours: "list_files", claude: "Glob" },
  { ours: "grep", claude: "Grep", fields: { ignore_case: "-i" } },
];

/** `exec` → `Bash`; names without a Claude counterpart (MCP tools) are unchanged. */
export function claudeToolName(ours: string): string {
  return TOOLS.find((tool) => tool.ours === ours)?.claude ?? ours;
}

/** `Bash` → `exec`; unknown names are returned unchanged. */
export function ourToolName(claude: string): string {
  return TOOLS.find((tool) => tool.claude === claude)?.ours ?? claude;
}

/** A call's arguments in Claude's shape (`path` → `file_path`); anything that is not an object is passed through. */
export function claudeToolInput(ours: string, input: unknown): Record<string, unknown> {
  if (!isObject(input)) return {};
  return rename(input, TOOLS.find((tool) => tool.ours === ours)?.fields ?? {});
}

/** Claude-shaped arguments back in ours (for an `updatedInput` from the SDK). */
export function ourToolInput(ours: string, input: Record<string, unknown>): Record<string, unknown> {
  const fields = TOOLS.find((tool) => tool.ours === ours)?.fields ?? {};
  return rename(input, Object.fromEntries(Object.entries(fields).map(([a, b]) => [b, a])));
}

/**
 * Whether a bare rule names the tool `claudeName` (for --tools and bare --disallowedTools, which
 * shape the tool list): `Bash`, `mcp__server` (every tool of a server), `mcp__server__tool`.
 * Rules with a pattern are the approval decision's (approval/permission-rules.ts).
 */
export function nameMatches(rule: string, claudeName: string): boolean {
  const name = rule.trim().replace(/\((\*)?\)$/, "");
  if (name.includes("(")) return false;
  return name === claudeName || (name.startsWith("mcp__") && claudeName.startsWith(`${name}__`)) || (name.endsWith("__*") && claudeName.startsWith(name.slice(0, -1)));
}

function rename(input: Record<string, unknown>, fields: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(input).map(([key, value]) => [fields[key] ?? key, value]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
