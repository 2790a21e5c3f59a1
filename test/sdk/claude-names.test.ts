import { describe, expect, it } from "vitest";
import { claudeToolInput, claudeToolName, ourToolInput, ourToolName, ruleMatches, splitRules } from "../../src/sdk/claude-names.js";

describe("Claude's tool names and permission rules", () => {
  it("maps every built-in tool and its argument names both ways; MCP names stay", () => {
    expect(["exec", "read_file", "write_file", "edit_file", "list_files", "grep", "mcp__db__query"].map(claudeToolName)).toEqual([
      "Bash",
      "Read",
      "Write",
      "Edit",
      "Glob",
      "Grep",
      "mcp__db__query",
    ]);
    expect(ourToolName("Edit")).toBe("edit_file");
    expect(claudeToolInput("edit_file", { path: "a.ts", old_string: "x", new_string: "y" })).toEqual({ file_path: "a.ts", old_string: "x", new_string: "y" });
    expect(claudeToolInput("exec", { command: "ls", timeout_ms: 5, background: true })).toEqual({ command: "ls", timeout: 5, run_in_background: true });
    expect(ourToolInput("read_file", { file_path: "b.ts", offset: 3 })).toEqual({ path: "b.ts", offset: 3 });
    expect(claudeToolInput("exec", "not an object")).toEqual({});
  });

  it("matches rules the way Claude Code writes them", () => {
    expect(ruleMatches("Bash", "Bash", { command: "anything" })).toBe(true);
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm test -- --watch" })).toBe(true);
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm install" })).toBe(false);
    expect(ruleMatches("Bash(git status)", "Bash", { command: "git status" })).toBe(true);
    expect(ruleMatches("Bash(git status)", "Bash", { command: "git status && rm -rf ." })).toBe(false);
    // An allow rule covers a compound command only when it covers every part, and never a substitution.
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm test; rm -rf ~" })).toBe(false);
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm test && npm test -- -u" })).toBe(true);
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm test $(rm -rf ~)" })).toBe(false);
    expect(ruleMatches("Bash(npm test:*)", "Bash", { command: "npm testify" })).toBe(false);
    // A deny rule covers it when any part matches.
    expect(ruleMatches("Bash(rm:*)", "Bash", { command: "ls && rm -rf old" }, "deny")).toBe(true);
    expect(ruleMatches("Bash(rm:*)", "Bash", { command: "ls && rm -rf old" }, "allow")).toBe(false);
    expect(ruleMatches("Read(./secrets/**)", "Read", { file_path: "secrets/key.pem" })).toBe(true);
    expect(ruleMatches("Read(./secrets/**)", "Read", { file_path: "src/app.ts" })).toBe(false);
    expect(ruleMatches("Read(./.env)", "Read", { file_path: "src/../.env" }, "deny")).toBe(true);
    expect(ruleMatches("Read", "Write", { file_path: "a" })).toBe(false);
    expect(ruleMatches("mcp__db", "mcp__db__query", {})).toBe(true);
    expect(ruleMatches("mcp__db__query", "mcp__db__drop", {})).toBe(false);
  });

  it("splits --allowedTools lists on commas and spaces, but not inside parentheses", () => {
    expect(splitRules(["Read,Bash(git log:*)", "Edit Bash(npm run build, test:*)"])).toEqual(["Read", "Bash(git log:*)", "Edit", "Bash(npm run build, test:*)"]);
  });
});
