import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { doctorReport } from "../../src/doctor/doctor.js";
import { HOOK_PAYLOAD } from "../../src/doctor/features.js";
import { hookFindings } from "../../src/doctor/hook-scripts.js";
import { tempWorkspace } from "../support/workspace.js";
import { CLAUDE_PROJECT, CODEX_HOME } from "./fixture.js";

describe("mini-claude doctor", () => {
  it("reports each item of a Claude Code project (and Gemini CLI, pi, Codex files) as works, partly, ignored or flagged", () => {
    const ws = tempWorkspace(CLAUDE_PROJECT);
    for (const [path, text] of Object.entries(CODEX_HOME)) {
      mkdirSync(dirname(join(ws.home, path)), { recursive: true });
      writeFileSync(join(ws.home, path), text);
    }
    const report = doctorReport({ workspace: ws.root, home: ws.home, configDir: ws.home });
    expect(report).toMatchInlineSnapshot(`
      "Instructions (CLAUDE.md, AGENTS.md and their imports)
        AGENTS.md                        instructions                works
        CLAUDE.md                        instructions                works
                                         @docs/style.md              ignored  not found
                                         @~/.claude/my-notes.md      ignored  not found

      Claude Code
        .claude/settings.json            $schema                     works
                                         permissions.allow (1)       partly   a project's allow rules apply once you trust them (asked in the REPL)
                                         permissions.deny (2)        works
                                         env                         ignored  set variables in the environment or ~/.config/mini-claude/.env
                                         hooks.PreToolUse (1)        partly   "defer" is not honoured
                                         hooks.PostToolUse (1)       partly   a command's stdout and stderr arrive merged, in stdout
                                         hooks.Notification (1)      partly   only notification_type "permission_prompt"
                                         hooks.Stop (1)              works
        .claude/settings.local.json      permissions.allow (1)       partly   a project's allow rules apply once you trust them (asked in the REPL)
                                         enableAllProjectMcpServers  ignored  each project MCP server is asked about once
        .claude/commands                 /commit                     ignored  !\`git diff HEAD\` is not covered by its allowed-tools (Bash(git add:*), Bash(git status:*), Bash(git commit:*)): refused
                                         /frontend:component         partly   argument-hint: not shown
                                         /optimize                   works
        .claude/agents                   1 agent                     partly   model aliases (sonnet, opus, haiku) run on the current model; a project's agents that act, once trusted like its hooks
        .claude/skills                   /pdf                        partly   a skill's tool rules are not read

      MCP servers (.mcp.json)
        .mcp.json                        github                      works
                                         legacy                      ignored  the SSE transport is not supported; use "type": "http" if the server speaks it
                                         filesystem                  works

      Gemini CLI
        GEMINI.md                        instructions                ignored  not read: mini-claude reads AGENTS.md and CLAUDE.md (import it with @GEMINI.md)
        .gemini/settings.json            theme                       ignored  a Gemini CLI setting mini-claude does not read
                                         mcpServers                  ignored  put MCP servers in .mcp.json
                                         tools                       partly   only tools.allowed "run_shell_command(…)" entries, for !{…} in commands
        .gemini/commands/changelog.toml  /changelog                  partly   !{…} run read-only in the sandbox, once the project is trusted
        .gemini/commands/cleanup.toml    /cleanup                    ignored  !{find . -name "*.tmp"} is not covered by tools.allowed: the command is refused

      pi
        .pi/prompts                      /review                     works

      Codex
        ~/.codex/config.toml             model                       ignored  the model comes from --model or MINI_CLAUDE_MODEL
                                         approval_policy             ignored  a Codex setting mini-claude does not read
                                         mcp_servers                 ignored  put MCP servers in .mcp.json
        ~/.codex/prompts                 /explain                    ignored  not read: put it in ~/.claude/commands or mini-claude's commands/ folder

      9 work, 10 partly, 14 ignored, 0 flagged."
    `);
  });

  it("says so when there is nothing to read", () => {
    const ws = tempWorkspace({ "src/a.ts": "" });
    expect(doctorReport({ workspace: ws.root, home: ws.home, configDir: ws.home })).toBe(
      `No configuration for Claude Code, Gemini CLI, pi or Codex found in ${ws.root} or the home folder.`,
    );
  });

  it("flags tool_name tests in shell, Python and jq hooks that name a tool mini-claude lacks (hooks see Claude Code's names)", () => {
    const ws = tempWorkspace({
      "hooks/guard.sh": '#!/bin/bash\ntool_name=$(jq -r .tool_name)\ncase "$tool_name" in\n  Bash) check_command ;;\n  WebSearch|Task) exit 0 ;;\n  mcp__github__create_issue) exit 0 ;;\nesac\n',
      "hooks/guard.py": 'import json, sys\ndata = json.load(sys.stdin)\nif data["tool_name"] in ("Write", "NotebookEdit"):\n    print(data.get("tool_use_id"))\n',
      "hooks/alias.sh": '#!/bin/sh\nTOOL=$(jq -r .tool_name)\nif [ "$TOOL" != "Read" ]; then exit 0; fi\n',
    });
    const problems = (command: string) => hookFindings(command, ws.root).map((f) => `${f.where}: ${f.problem}`);
    expect(problems("bash hooks/guard.sh")).toEqual([
      'hooks/guard.sh: compares tool_name with "WebSearch", a tool mini-claude does not have',
      'hooks/guard.sh: compares tool_name with "Task", a tool mini-claude does not have',
    ]);
    expect(problems('python3 "$CLAUDE_PROJECT_DIR/hooks/guard.py"')).toEqual(['hooks/guard.py: compares tool_name with "NotebookEdit", a tool mini-claude does not have']);
    expect(problems("sh hooks/alias.sh")).toEqual([]);
    expect(problems(`jq -e 'select(.tool_name == "Edit")' >/dev/null && npx prettier --write "$(jq -r .tool_input.file_path)"`)).toEqual([]);
  });

  it("follows the feature table: were payloads to carry mini-claude's names, Claude Code's would be flagged too", () => {
    const ws = tempWorkspace({ "guard.js": 'if (input.tool_name !== "Bash" && input.tool_name !== "MultiEdit") process.exit(0);\n' });
    const before = HOOK_PAYLOAD.toolNames;
    HOOK_PAYLOAD.toolNames = "mini-claude";
    try {
      expect(hookFindings("node guard.js", ws.root).map((f) => f.problem)).toEqual([
        'compares tool_name with "Bash", but mini-claude sends "exec": the test never matches (a guard that lets other tools pass lets everything pass)',
        'compares tool_name with "MultiEdit", a tool mini-claude does not have',
      ]);
    } finally {
      HOOK_PAYLOAD.toolNames = before;
    }
  });

});
