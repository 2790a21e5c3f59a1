
/**
 * The flags Claude Code's CLI takes that mean something here, read once from argv. The Claude Agent
 * SDK starts its CLI with them, and scripts written for `claude -p` pass them too. Flags with no
 * meaning here are named once on stderr (`ignoredClaudeFlags`), never refused.
 */

/** Claude Code's permission modes (--permission-mode, the Agent SDK's setPermissionMode, settings' defaultMode). */
export const PERMISSION_MODES = ["default", "acceptEdits", "bypassPermissions", "plan", "dontAsk", "auto"] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export interface ClaudeOptions {
  /** `--permission-mode`, an input of the approval decision (approval/decide.ts): default asks what mini-claude asks; acceptEdits also lets protected writes through; bypassPermissions asks nothing; dontAsk refuses what would ask; plan changes nothing (no write tools, commands read-only in the sandbox) and ends with the plan (approval/mode-switch.ts switches it). */
  permissionMode: PermissionMode;
  /** `--allowedTools`: allow rules of the approval decision, as in a settings file (approval/setup.ts). */
  allowedTools: string[];
  /** `--disallowedTools`: deny rules of the approval decision; bare names also leave the model's tool list. */
  disallowedTools: string[];
  /** `--tools Bash,Read`: only these tools ("default" or absent: all). */
  tools?: string[];
  /** `--system-prompt`: replaces mini-claude's system prompt. */
  systemPrompt?: string;
  /** `--append-system-prompt`: added after it. */
  appendSystemPrompt?: string;
  /** `--permission-prompt-tool stdio`: approval questions go to the SDK as can_use_tool requests. */
  permissionPromptTool?: string;
  /** `--include-partial-messages`: stream_event lines with the text as it streams. */
  includePartialMessages: boolean;
  /** `--await-initialize`: the SDK's initialize request carries launch settings (its MCP servers) to read before starting. */
  awaitInitialize: boolean;
}

/** Flags the Claude Agent SDK or `claude -p` may pass that change nothing here (accepted, named once on stderr). */
export const IGNORED_CLAUDE_FLAGS = [
  "setting-sources",
  "max-thinking-tokens",
  "thinking",
  "thinking-display",
  "effort",
  "fallback-model",
  "max-budget-usd",
  "task-budget",
  "agent",
  "betas",
  "json-schema",
  "debug",
  "debug-file",
  "strict-mcp-config",
  "allow-dangerously-skip-permissions",
  "include-hook-events",
  "session-mirror",
  "project-config-root",
  "add-dir",
  "plugin-dir",
  "plugin-dir-no-mcp",
  "fork-session",
  "resume-session-at",
  "resume-drops-turn",
  "session-id",
  "no-session-persistence",
  "initialize-fields",
  "managed-settings",
  "managed-settings-in-initialize",
  "settings",
  "permission-prompts",
  "channels",
] as const;

type Values = Record<string, string | boolean | string[] | undefined>;

/** The Claude flags among `values`; a bad --permission-mode is named by the returned problem, not thrown. */
export function readClaudeFlags(values: Values): { options: ClaudeOptions; problem?: string } {
  const mode = str(values["permission-mode"]) ?? (values["dangerously-skip-permissions"] ? "bypassPermissions" : "default");
  const known = (PERMISSION_MODES as readonly string[]).includes(mode);
  const tools = list(values.tools);
  return {
    options: {
      permissionMode: known ? (mode as PermissionMode) : "default",
      allowedTools: splitRules([...list(values.allowedTools), ...list(values["allowed-tools"])]),
      disallowedTools: splitRules([...list(values.disallowedTools), ...list(values["disallowed-tools"])]),
      tools: tools.length && !(tools.length === 1 && tools[0] === "default") ? splitRules(tools) : undefined,
      systemPrompt: str(values["system-prompt"]),
      appendSystemPrompt: str(values["append-system-prompt"]),
      permissionPromptTool: str(values["permission-prompt-tool"]),
      includePartialMessages: Boolean(values["include-partial-messages"]),
      awaitInitialize: Boolean(values["await-initialize"]),
    },
    problem: known ? undefined : `--permission-mode must be one of ${PERMISSION_MODES.join(", ")}`,
  };
}

/** The Claude flags given that have no meaning here, plus any flag parseArgs did not know (SDK mode parses loosely). */
export function ignoredClaudeFlags(values: Values, declared: ReadonlySet<string>): string[] {
  const ignored = (IGNORED_CLAUDE_FLAGS as readonly string[]).filter((flag) => values[flag] !== undefined);
  const unknown = Object.keys(values).filter((flag) => !declared.has(flag));
  return [...ignored, ...unknown].map((flag) => `--${flag}`);
}

function list(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === "string" ? [value] : [];
}

function str(value: string | boolean | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Whether Claude's tool layer (permissions.ts: the tool list, SDK hooks, permission_denials) has anything to do in this run. */
export function usesClaudePermissions(options: ClaudeOptions, sdkMode: boolean): boolean {
  return sdkMode || options.allowedTools.length > 0 || options.disallowedTools.length > 0 || options.tools !== undefined || options.permissionMode !== "default";
}

/** `--allowedTools "Bash(npm:*),Read" --allowedTools Edit` → each rule once; commas inside parentheses stay. */
export function splitRules(values: string[]): string[] {
  const rules: string[] = [];
  for (const value of values) {
    let depth = 0;
    let current = "";
    for (const char of value) {
      if (char === "(") depth++;
      if (char === ")") depth = Math.max(0, depth - 1);
      if ((char === "," || char === " ") && depth === 0) {
        if (current.trim()) rules.push(current.trim());
        current = "";
      } else current += char;
    }
    if (current.trim()) rules.push(current.trim());
  }
  return rules;
}
