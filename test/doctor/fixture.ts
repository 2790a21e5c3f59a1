/**
 * A project configured for Claude Code (and a little Gemini CLI, pi and Codex), in each format's own
 * documented shapes: the files doctor is tested on.
 */
export const CLAUDE_PROJECT: Record<string, string> = {
  ".claude/settings.json": JSON.stringify(
    {
      $schema: "https://json.schemastore.org/claude-code-settings.json",
      permissions: { allow: ["Bash(npm run test:*)"], deny: ["Read(./.env)", "Read(./secrets/**)"] },
      env: { NODE_ENV: "development" },
      hooks: {
        PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: '"$CLAUDE_PROJECT_DIR"/.claude/hooks/block-dangerous.js' }] }],
        PostToolUse: [{ matcher: "Write|Edit|MultiEdit", hooks: [{ type: "command", command: "jq -r '.tool_response.filePath' | xargs npx prettier --write" }] }],
        Notification: [{ matcher: "", hooks: [{ type: "command", command: "notify-send 'Claude Code' 'Awaiting your input'" }] }],
        Stop: [{ hooks: [{ type: "command", command: "npm test --silent" }] }],
      },
    },
    null,
    2,
  ),
  ".claude/hooks/block-dangerous.js": [
    "#!/usr/bin/env node",
    'const input = JSON.parse(require("fs").readFileSync(0, "utf8"));',
    'if (input.tool_name !== "Bash") process.exit(0);',
    "const command = input.tool_input.command;",
    'if (/git reset --hard|rm -rf ~/.test(command)) { console.error("Blocked: destructive command"); process.exit(2); }',
    'if (input.permission_mode === "bypassPermissions") process.exit(0);',
    "",
  ].join("\n"),
  ".claude/settings.local.json": JSON.stringify({ permissions: { allow: ["WebFetch(domain:docs.anthropic.com)"] }, enableAllProjectMcpServers: true }),
  ".claude/commands/commit.md": [
    "---",
    "allowed-tools: Bash(git add:*), Bash(git status:*), Bash(git commit:*)",
    "description: Create a git commit",
    "---",
    "## Context",
    "- Current git status: !`git status`",
    "- Current git diff (staged and unstaged changes): !`git diff HEAD`",
    "## Your task",
    "Based on the above changes, create a single git commit.",
    "",
  ].join("\n"),
  ".claude/commands/frontend/component.md": "---\nargument-hint: [name]\ndescription: Create a React component\n---\nCreate a component named $ARGUMENTS following @src/components/Button.tsx\n",
  ".claude/commands/optimize.md": "Analyze the performance of this code and suggest three specific optimizations:\n",
  ".claude/agents/code-reviewer.md": "---\nname: code-reviewer\ndescription: Reviews code for quality\ntools: Read, Grep, Glob\n---\nYou are a senior code reviewer.\n",
  ".claude/skills/pdf/SKILL.md": "---\nname: pdf\ndescription: Extract text and fill forms in PDF files. Use when working with PDFs.\nallowed-tools: Read, Bash(python:*)\n---\n# PDF\n",
  "AGENTS.md": "# Agents\nRun npm test before committing.\n",
  "CLAUDE.md": "See @AGENTS.md\n\n# Claude Code\nPrefer small commits. Style: @docs/style.md, personal: @~/.claude/my-notes.md\n",
  ".mcp.json": JSON.stringify({
    mcpServers: {
      github: { type: "http", url: "https://api.githubcopilot.com/mcp/" },
      legacy: { type: "sse", url: "https://example.com/sse" },
      filesystem: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "."] },
    },
  }),
  "GEMINI.md": "Use the project's style guide.\n",
  ".gemini/settings.json": JSON.stringify({ theme: "GitHub", mcpServers: { github: { httpUrl: "https://api.githubcopilot.com/mcp/" } }, tools: { allowed: ["run_shell_command(git log)"] } }),
  ".gemini/commands/changelog.toml": 'description = "Draft a changelog entry"\nprompt = """\nRecent commits:\n!{git log --oneline -n 10}\nDraft the entry for {{args}}.\n"""\n',
  ".gemini/commands/cleanup.toml": 'prompt = """\nFiles: !{find . -name "*.tmp"}\nClean them up.\n"""\n',
  ".pi/prompts/review.md": "Review the staged changes.\n",
};

/** The person's home: Codex's config and prompts. */
export const CODEX_HOME: Record<string, string> = {
  ".codex/config.toml": 'model = "o3"\napproval_policy = "on-request"\n\n[mcp_servers.docs]\ncommand = "npx"\nargs = ["-y", "docs-mcp"]\n',
  ".codex/prompts/explain.md": "Explain this code.\n",
};
