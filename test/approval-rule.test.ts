import { describe, expect, it } from "vitest";
import { commandPrefix, isDestructive, mustAsk } from "../src/approval-rule.js";

describe("which requests must be asked", () => {
  it("with the sandbox on, only leaving it or a destructive shape asks", () => {
    expect(mustAsk({ kind: "command", command: "npm test" }, true)).toBe(false);
    expect(mustAsk({ kind: "command", command: "rm -rf build" }, true)).toBe(true);
    expect(mustAsk({ kind: "command", command: "npm install", network: true }, true)).toBe(true);
    expect(mustAsk({ kind: "command", command: "make install", unsandboxed: true }, true)).toBe(true);
  });

  it("without the sandbox every command asks, as before", () => {
    expect(mustAsk({ kind: "command", command: "ls" }, false)).toBe(true);
  });

  it("a PreToolUse hook's allow answers a command inside the sandbox and an outside tool's call, never a way out or a protected write", () => {
    expect(mustAsk({ kind: "command", command: "rm -rf build", allowedByHook: true }, true)).toBe(false);
    expect(mustAsk({ kind: "tool", tool: "mcp__gh__create_issue", summary: "gh", allowedByHook: true }, true)).toBe(false);
    expect(mustAsk({ kind: "command", command: "make install", unsandboxed: true, allowedByHook: true }, true)).toBe(true);
    expect(mustAsk({ kind: "command", command: "curl example.com", network: true, allowedByHook: true }, true)).toBe(true);
    const diff = { path: ".git/config", before: "", after: "x" };
    expect(mustAsk({ kind: "write", path: ".git/config", reason: "git runs what it names", diff, allowedByHook: true }, true)).toBe(true);
  });

  it("remembers network approvals by program and subcommand", () => {
    expect(commandPrefix("npm install lodash")).toBe("npm install");
    expect(commandPrefix("curl https://example.com")).toBe("curl");
    expect(commandPrefix("  node -e 1")).toBe("node");
  });

  it("knows the destructive shapes and leaves look-alikes alone", () => {
    for (const command of ["rm -rf dist", "cd x && rm -r -f .", "rm --recursive a", "git reset --hard HEAD~1", "git clean -fdx", "git push --force origin main", "git push -f"]) {
      expect(isDestructive(command), command).toBe(true);
    }
    for (const command of ["rm file.txt", "git reset HEAD a.txt", "git push origin main", "npm run format", "echo rm -x"]) {
      expect(isDestructive(command), command).toBe(false);
    }
  });
});
