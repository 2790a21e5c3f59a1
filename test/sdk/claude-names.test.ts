import { describe, expect, it } from "vitest";
import { claudeToolInput, claudeToolName, ourToolInput, nameMatches, ourToolName } from "../../src/sdk/claude-names.js";
import { splitRules } from "../../src/config/claude-flags.js";

describe("Claude's tool names", () => {
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

  it("names tools for --tools and bare --disallowedTools; rules with a pattern are the approval decision's", () => {
    expect(nameMatches("Bash", "Bash")).toBe(true);
    expect(nameMatches("Bash(*)", "Bash")).toBe(true);
    expect(nameMatches("Read", "Write")).toBe(false);
    expect(nameMatches("Bash(npm test:*)", "Bash")).toBe(false);
    expect(nameMatches("mcp__db", "mcp__db__query")).toBe(true);
    expect(nameMatches("mcp__db__*", "mcp__db__query")).toBe(true);
    expect(nameMatches("mcp__db__query", "mcp__db__drop")).toBe(false);
  });

  it("splits --allowedTools lists on commas and spaces, but not inside parentheses", () => {
    expect(splitRules(["Read,Bash(git log:*)", "Edit Bash(npm run build, test:*)"])).toEqual(["Read", "Bash(git log:*)", "Edit", "Bash(npm run build, test:*)"]);
  });
});
