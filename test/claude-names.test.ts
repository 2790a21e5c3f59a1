import { describe, expect, it } from "vitest";
import { claudeNamesOf, fromClaudeInput, fromClaudeName, toClaudeInput, toClaudeName, toClaudeResponse } from "../src/claude-names.js";
import { readHookOutput } from "../src/extend/hooks/hook-output.js";

const root = "/work/project";

describe("Claude Code's names and shapes", () => {
  it("names every built-in tool as Claude Code does, and back; MCP and unknown names pass through", () => {
    expect(["exec", "read_file", "write_file", "edit_file", "list_files", "grep", "web_fetch"].map(toClaudeName)).toEqual(["Bash", "Read", "Write", "Edit", "Glob", "Grep", "WebFetch"]);
    expect(toClaudeName("mcp__github__create_issue")).toBe("mcp__github__create_issue");
    expect(["Bash", "Read", "MultiEdit", "LS", "WebFetch", "WebSearch"].map(fromClaudeName)).toEqual(["exec", "read_file", "edit_file", "list_files", "web_fetch", undefined]);
    expect(claudeNamesOf("edit_file")).toEqual(["Edit", "MultiEdit"]);
    expect(claudeNamesOf("mcp__x__y")).toEqual([]);
    // A name that is also an Object.prototype key is an unknown name, not a prototype's function.
    expect(["constructor", "toString"].map(toClaudeName)).toEqual(["constructor", "toString"]);
    expect(["constructor", "toString"].map(fromClaudeName)).toEqual([undefined, undefined]);
    expect(claudeNamesOf("constructor")).toEqual([]);
  });

  it("tool_input has Claude Code's argument names and absolute paths; updatedInput comes back as ours", () => {
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
      ["exec", { command: "npm test", timeout_ms: 5000, background: true, sandbox: false }, { command: "npm test", timeout: 5000, run_in_background: true, dangerouslyDisableSandbox: true }],
      ["read_file", { path: "src/a.ts", offset: 3, limit: 10 }, { file_path: "/work/project/src/a.ts", offset: 3, limit: 10 }],
      ["write_file", { path: "a.txt", content: "x" }, { file_path: "/work/project/a.txt", content: "x" }],
      ["edit_file", { path: "a.txt", old_string: "x", new_string: "y", replace_all: true }, { file_path: "/work/project/a.txt", old_string: "x", new_string: "y", replace_all: true }],
      ["list_files", { path: "src", pattern: "*.ts" }, { pattern: "*.ts", path: "/work/project/src" }],
      ["grep", { pattern: "TODO", glob: "*.ts", ignore_case: true }, { pattern: "TODO", path: "/work/project", glob: "*.ts", "-i": true, output_mode: "content", "-n": true }],
    ];
    for (const [tool, ours, claude] of cases) {
      expect(toClaudeInput(tool, ours, root)).toEqual(claude);
      expect(fromClaudeInput(tool, claude, root)).toEqual(tool === "grep" ? { ...ours, path: "." } : ours);
    }
    // A path outside the workspace stays absolute, for the tool to refuse in its own words.
    expect(fromClaudeInput("read_file", { file_path: "/etc/passwd" }, root)).toEqual({ path: "/etc/passwd" });
    expect(fromClaudeInput("exec", { command: "ls", description: "List files" }, root)).toEqual({ command: "ls" });
    expect(toClaudeInput("exec", "not an object", root)).toEqual({});
  });

  it("tool_response has Claude Code's per-tool shape", () => {
    expect(toClaudeResponse("exec", { command: "echo hi" }, { ok: true, output: "hi\n\nexit code 3 (0.1s)", exitCode: 3 }, root)).toEqual({
      stdout: "hi",
      stderr: "",
      interrupted: false,
      isImage: false,
      exit_code: 3,
    });
    expect(toClaudeResponse("exec", { command: "true" }, { ok: true, output: "(no output)\n\nexit code 0 (0.0s)", exitCode: 0 }, root).stdout).toBe("");
    expect(toClaudeResponse("exec", { command: "sleep 9" }, { ok: true, output: "Interrupted by the user after 1.0s; …" }, root).interrupted).toBe(true);
    expect(toClaudeResponse("write_file", { path: "a.txt", content: "x\n" }, { ok: true, output: "Created a.txt (1 lines, 2 bytes)." }, root)).toEqual({
      type: "create",
      filePath: "/work/project/a.txt",
      content: "x\n",
      originalFile: null,
      success: true,
    });
    expect(toClaudeResponse("edit_file", { path: "a.txt", old_string: "x", new_string: "y" }, { ok: true, output: "Edited a.txt", diff: { before: "x\n", after: "y\n" } }, root)).toMatchObject({
      filePath: "/work/project/a.txt",
      oldString: "x",
      newString: "y",
      originalFile: "x\n",
    });
    expect(toClaudeResponse("read_file", { path: "a.txt" }, { ok: true, output: "1\talpha\n2\tbeta" }, root)).toEqual({
      type: "text",
      file: { filePath: "/work/project/a.txt", content: "alpha\nbeta", numLines: 2, startLine: 1 },
    });
    expect(toClaudeResponse("list_files", {}, { ok: true, output: "src/a.ts\nb.md" }, root)).toMatchObject({ filenames: ["/work/project/src/a.ts", "/work/project/b.md"], numFiles: 2 });
    expect(toClaudeResponse("grep", { pattern: "a" }, { ok: true, output: "src/a.ts:1:a\nsrc/a.ts:4:aa" }, root)).toMatchObject({ mode: "content", numLines: 2, filenames: ["/work/project/src/a.ts"] });
    expect(toClaudeResponse("mcp__s__t", {}, { ok: false, output: "Error: boom" }, root)).toEqual({ content: "Error: boom", is_error: true });
  });
});

describe("hook output as Claude Code reads it", () => {
  it("permissionDecision deny / ask / allow, updatedInput, PermissionRequest's decision, legacy approve/block, systemMessage", () => {
    const out = (json: object) => readHookOutput("PreToolUse", JSON.stringify(json));
    expect(out({ hookSpecificOutput: { permissionDecision: "deny", permissionDecisionReason: "no" } })).toEqual({ block: "no" });
    expect(out({ hookSpecificOutput: { permissionDecision: "ask", permissionDecisionReason: "check" } })).toEqual({ permission: "ask", reason: "check" });
    expect(out({ hookSpecificOutput: { permissionDecision: "allow", updatedInput: { command: "ls" } } })).toEqual({ permission: "allow", reason: undefined, updatedInput: { command: "ls" } });
    expect(out({ decision: "approve" })).toMatchObject({ permission: "allow" });
    expect(out({ decision: "block", reason: "r" })).toEqual({ block: "r" });
    expect(out({ continue: false, stopReason: "halt" })).toEqual({ block: "halt" });
    expect(out({ systemMessage: "heads up" })).toEqual({ message: "heads up" });
    expect(readHookOutput("PermissionRequest", JSON.stringify({ hookSpecificOutput: { decision: { behavior: "deny", message: "m" } } }))).toEqual({ block: "m" });
    expect(readHookOutput("PermissionRequest", JSON.stringify({ hookSpecificOutput: { decision: { behavior: "allow" } } }))).toMatchObject({ permission: "allow" });
    expect(readHookOutput("SessionStart", "plain text")).toEqual({ context: "plain text" });
    expect(readHookOutput("PreToolUse", "plain text")).toEqual({});
  });
});
