/**
 * What `mini-claude doctor` knows mini-claude honours, in one table: when a feature lands (or
 * changes), flip its status here and doctor's report follows. Keys are "<format>.<item>"; an item
 * a file has that this table does not name is reported as ignored.
 */

export type Status = "works" | "partly" | "ignored";

export interface Feature {
  status: Status;
  /** Why it is partly or ignored, in a few words (what to do instead, when there is something). */
  why?: string;
}

const works: Feature = { status: "works" };
const ignored = (why: string): Feature => ({ status: "ignored", why });
const partly = (why: string): Feature => ({ status: "partly", why });

export const FEATURES: Record<string, Feature> = {
  // Claude Code's settings files (.claude/settings.json, .claude/settings.local.json, ~/.claude/settings.json).
  "claude.settings.hooks": works,
  "claude.settings.permissions.allow": partly("a project's allow rules apply once you trust them (asked in the REPL)"),
  "claude.settings.permissions.deny": works,
  "claude.settings.permissions.ask": works,
  "claude.settings.permissions.defaultMode": partly("the starting mode: plan and dontAsk from any file, acceptEdits and bypassPermissions from yours only; auto counts as default"),
  "claude.settings.permissions.additionalDirectories": ignored("the workspace is the one folder tools reach"),
  "claude.settings.env": ignored("set variables in the environment or ~/.config/mini-claude/.env"),
  "claude.settings.model": ignored("the model comes from --model or MINI_CLAUDE_MODEL"),
  "claude.settings.apiKeyHelper": ignored("the key comes from OPENAI_API_KEY (or DEEPSEEK_API_KEY)"),
  "claude.settings.enableAllProjectMcpServers": ignored("each project MCP server is asked about once"),
  "claude.settings.enabledMcpjsonServers": ignored("each project MCP server is asked about once"),
  "claude.settings.disabledMcpjsonServers": ignored('disable a server with "disabled": true in .mcp.json'),
  "claude.settings.$schema": works,
  "claude.settings.sandbox": partly("only network.allowedDomains is read"),
  "claude.settings.statusLine": ignored("its command is not run; /statusline shows mini-claude's own status line"),

  // Claude Code's hook events.
  "claude.hook.PreToolUse": partly('"defer" is not honoured'),
  "claude.hook.PostToolUse": partly("a command's stdout and stderr arrive merged, in stdout"),
  "claude.hook.UserPromptSubmit": works,
  "claude.hook.Stop": works,
  "claude.hook.SessionStart": works,
  "claude.hook.PreCompact": works,
  "claude.hook.Notification": partly('only notification_type "permission_prompt"'),
  "claude.hook.SessionEnd": works,
  "claude.hook.SubagentStop": ignored("not run for subagents yet"),
  "claude.hook.SubagentStart": ignored("not run for subagents yet"),
  "claude.hook.PostToolUseFailure": works,
  "claude.hook.PermissionRequest": partly("its updatedInput is not honoured"),
  "claude.hook.type.prompt": ignored('only "type": "command" hooks run'),

  // Claude Code's command files (.claude/commands, ~/.claude/commands): front matter keys and body features.
  "claude.command": works,
  "claude.command.description": works,
  "claude.command.allowed-tools": partly("only for the template's own !`cmd`; the model's tools keep their usual approvals"),
  "claude.command.model": partly("used only when the endpoint lists that model (haiku, sonnet, opus are not mapped)"),
  "claude.command.argument-hint": ignored("not shown"),
  "claude.command.disable-model-invocation": works,
  "claude.command.!cmd": partly("run read-only in the sandbox, once the project is trusted"),
  "claude.command.@file": works,
  "claude.agents": partly("model aliases (sonnet, opus, haiku) run on the current model; a project's agents that act, once trusted like its hooks"),
  "claude.skill": works,
  "claude.skill.allowed-tools": ignored("a skill's tool rules are not read"),
  "claude.skill.description-over-limit": partly("cut at 1,024 characters"),
  "claude.skill.no-description": ignored("no description in its front matter: not loaded"),

  // Instructions files (Claude Code, Codex).
  "instructions.file": works,
  "instructions.cut": partly("past the 8,000-character cap the rest is cut"),

  // Gemini CLI.
  "gemini.GEMINI.md": ignored("not read: mini-claude reads AGENTS.md and CLAUDE.md (import it with @GEMINI.md)"),
  "gemini.settings.mcpServers": ignored("put MCP servers in .mcp.json"),
  "gemini.settings.tools": partly('only tools.allowed "run_shell_command(…)" entries, for !{…} in commands'),
  "gemini.settings.$schema": works,
  "gemini.command": works,
  "gemini.command.!{cmd}": partly("!{…} run read-only in the sandbox, once the project is trusted"),

  // pi.
  "pi.prompt": works,
  "pi.settings": ignored("pi's settings are not read"),
  "pi.user-prompt": ignored("not read: put it in ~/.claude/commands or mini-claude's commands/ folder"),

  // Codex.
  "codex.config.mcp_servers": ignored("put MCP servers in .mcp.json"),
  "codex.config.model": ignored("the model comes from --model or MINI_CLAUDE_MODEL"),
  "codex.prompt": ignored("not read: put it in ~/.claude/commands or mini-claude's commands/ folder"),

  // .mcp.json (Claude Code's format).
  "mcp.server.stdio": works,
  "mcp.server.http": works,
  "mcp.server.sse": ignored('the SSE transport is not supported; use "type": "http" if the server speaks it'),
};

/** An item this table does not name: read by nobody here. */
export function feature(key: string, fallbackWhy = "not read by mini-claude"): Feature {
  return FEATURES[key] ?? ignored(fallbackWhy);
}

/**
 * What hooks receive on stdin (src/extend/hooks/hooks.ts, tool-hooks.ts). Flip `toolNames` to "claude"
 * when payloads carry Claude Code's names (Bash, Read…), and add fields to `sent` as they arrive.
 */
export const HOOK_PAYLOAD = {
  toolNames: "claude" as "mini-claude" | "claude",
  /** Claude Code's tool name → the name mini-claude sends today. */
  ourNames: { Bash: "exec", Read: "read_file", Write: "write_file", Edit: "edit_file", Glob: "list_files", Grep: "grep" } as Record<string, string>,
  /** The tool names hooks can meet here under Claude Code's naming; mcp__… names pass too. */
  claudeNames: ["Bash", "Read", "Write", "Edit", "Glob", "Grep"],
  /** Claude Code's payload fields mini-claude sends. */
  sent: ["session_id", "transcript_path", "cwd", "permission_mode", "hook_event_name", "tool_name", "tool_input", "tool_response", "tool_use_id", "prompt", "source", "trigger", "reason", "error", "stop_hook_active"],
  /** Claude Code's payload fields mini-claude does not send (yet). */
  missing: ["custom_instructions"],
  /** Claude Code's tool_response fields that mini-claude's per-tool shapes (claude-names.ts) lack. */
  missingResponseFields: ["structuredPatch"],
};
