import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadPermissions } from "../../src/approval/permission-settings.js";
import { domainMatches, parseRule, ruleMatches, type PermissionRule } from "../../src/approval/permission-rules.js";
import type { ApprovalRequest } from "../../src/tools/index.js";
import { tempWorkspace } from "../support/workspace.js";

const ROOT = "/w";
const rule = (text: string) => parseRule(text, ROOT, "settings.json") as PermissionRule;
const bash = (command: string): ApprovalRequest => ({ kind: "command", command });
const read = (path: string, tool = "read_file"): ApprovalRequest => ({ kind: "read", tool, path });
const write = (path: string, tool = "edit_file"): ApprovalRequest => ({ kind: "write", tool, path, diff: { path, before: "", after: "" } });

describe("Claude Code's rule syntax", () => {
  it("parses Tool and Tool(specifier), and says why a rule is not one", () => {
    expect(rule("Bash")).toMatchObject({ tool: "Bash", specifier: undefined });
    expect(rule("Bash(*)")).toMatchObject({ tool: "Bash", specifier: undefined });
    expect(rule("Bash(npm test:*)")).toMatchObject({ tool: "Bash", specifier: "npm test:*" });
    expect(rule("mcp__github__create_issue")).toMatchObject({ tool: "mcp", specifier: "mcp__github__create_issue" });
    expect(rule("WebSearch")).toMatchObject({ tool: "elsewhere" });
    expect(parseRule("Bash(npm test", ROOT)).toBe("not of the form Tool or Tool(specifier)");
    expect(parseRule("Frobnicate(x)", ROOT)).toBe('unknown tool "Frobnicate"');
    expect(parseRule("WebFetch(example.com)", ROOT)).toBe("WebFetch takes domain:HOST");
    expect(parseRule(42, ROOT)).toBe("not a string");
  });

  it("Bash: exact, prefix:*, wildcards (a trailing ' *' also matches nothing), and every part of a compound command", () => {
    expect(ruleMatches(rule("Bash(git status)"), bash("git status"))).toBe(true);
    expect(ruleMatches(rule("Bash(git status)"), bash("git status -s"))).toBe(false);
    expect(ruleMatches(rule("Bash(npm test:*)"), bash("npm test"))).toBe(true);
    expect(ruleMatches(rule("Bash(npm test:*)"), bash("npm test --watch"))).toBe(true);
    expect(ruleMatches(rule("Bash(npm test:*)"), bash("npm tests"))).toBe(false);
    expect(ruleMatches(rule("Bash(ls *)"), bash("ls"))).toBe(true);
    expect(ruleMatches(rule("Bash(ls *)"), bash("lsof"))).toBe(false);
    expect(ruleMatches(rule("Bash(git * main)"), bash("git push origin main"))).toBe(true);
    expect(ruleMatches(rule("Bash(git reset:*)"), bash("cd src && git reset --hard"))).toBe(true);
    expect(ruleMatches(rule("Bash"), bash("anything"))).toBe(true);
    expect(ruleMatches(rule("Bash"), read("/w/x"))).toBe(false);
  });

  it("paths: gitignore semantics with //absolute, ~/home, /project-root, ./cwd and bare forms", () => {
    expect(ruleMatches(rule("Read(./.env)"), read("/w/.env"))).toBe(true);
    expect(ruleMatches(rule("Read(./.env)"), read("/w/sub/.env"))).toBe(false);
    expect(ruleMatches(rule("Read(.env)"), read("/w/sub/.env"))).toBe(true);
    expect(ruleMatches(rule("Read(./secrets/**)"), read("/w/secrets/a/b.txt"))).toBe(true);
    expect(ruleMatches(rule("Read(secrets/)"), read("/w/secrets/key"))).toBe(true);
    expect(ruleMatches(rule("Read(/src/**/*.ts)"), read("/w/src/a/b.ts"))).toBe(true);
    expect(ruleMatches(rule("Read(//etc/passwd)"), read("/etc/passwd"))).toBe(true);
    expect(ruleMatches(rule("Read(**/.env.*)"), read("/w/a/b/.env.local"))).toBe(true);
    expect(ruleMatches(rule("Read(*.pem)"), read("/w/certs/key.pem"))).toBe(true);
    expect(ruleMatches(rule("Read(src/*.ts)"), read("/w/src/a/b.ts"))).toBe(false);
    expect(ruleMatches(rule("Read(src/?.ts)"), read("/w/src/a.ts"))).toBe(true);
    expect(ruleMatches(rule("Read(~/.ssh/**)"), read(join(process.env.HOME ?? "/nonexistent", ".ssh/id_rsa")))).toBe(Boolean(process.env.HOME));
    expect(ruleMatches(rule("Read(./.env)"), read("/elsewhere/.env"))).toBe(false);
    // Read rules cover every reading tool (grep, list_files), as Claude Code's cover Grep and Glob.
    expect(ruleMatches(rule("Read(./.env)"), read("/w/.env", "grep"))).toBe(true);
    // Edit covers every tool that changes files; Write only write_file.
    expect(ruleMatches(rule("Edit(src/**)"), write("/w/src/a.ts", "write_file"))).toBe(true);
    expect(ruleMatches(rule("Write(src/**)"), write("/w/src/a.ts", "edit_file"))).toBe(false);
    expect(ruleMatches(rule("Write(src/**)"), write("/w/src/a.ts", "write_file"))).toBe(true);
    // A symlink's own name counts too.
    expect(ruleMatches(rule("Read(./.env)"), { kind: "read", tool: "read_file", path: "/w/real.txt", requested: "/w/.env" })).toBe(true);
  });

  it("tool names come from the one Claude-name mapping: Glob and LS govern list_files, Grep grep, MultiEdit edit_file", () => {
    expect(ruleMatches(rule("Glob(src/**)"), read("/w/src/a.ts", "list_files"))).toBe(true);
    expect(ruleMatches(rule("LS(src/**)"), read("/w/src/a.ts", "list_files"))).toBe(true);
    expect(ruleMatches(rule("Glob(src/**)"), read("/w/src/a.ts", "grep"))).toBe(false);
    expect(ruleMatches(rule("Grep"), read("/w/src/a.ts", "grep"))).toBe(true);
    expect(ruleMatches(rule("MultiEdit"), write("/w/a.ts", "edit_file"))).toBe(true);
    expect(ruleMatches(rule("MultiEdit"), write("/w/a.ts", "write_file"))).toBe(false);
    expect(ruleMatches(rule("Read"), read("/w/a.ts", "list_files"))).toBe(true);
    expect(ruleMatches(rule("Bash"), { kind: "hook", tool: "Bash", summary: "$ ls", reason: "why" })).toBe(false);
    expect(parseRule("constructor", ROOT)).toBe('unknown tool "constructor"');
    expect(parseRule("mcp", ROOT)).toBe('unknown tool "mcp"');
  });

  it("WebFetch(domain:…) and MCP rules", () => {
    const domain: ApprovalRequest = { kind: "network", host: "api.github.com", port: 443, command: "gh pr list" };
    expect(ruleMatches(rule("WebFetch(domain:api.github.com)"), domain)).toBe(true);
    expect(ruleMatches(rule("WebFetch(domain:github.com)"), domain)).toBe(false);
    expect(domainMatches("*.github.com", "api.github.com")).toBe(true);
    expect(domainMatches("*.github.com", "github.com")).toBe(false);
    const tool: ApprovalRequest = { kind: "tool", tool: "mcp__gh__create_issue", server: "gh", name: "create_issue", summary: "" };
    for (const text of ["mcp__gh", "mcp__gh__create_issue", "mcp__gh__*"]) expect(ruleMatches(rule(text), tool), text).toBe(true);
    expect(ruleMatches(rule("mcp__gh__list"), tool)).toBe(false);
    expect(ruleMatches(rule("mcp__gh"), { kind: "server", name: "gh", command: "x" })).toBe(true);
  });
});

describe("permissions from the settings files", () => {
  function places(files: Record<string, unknown>) {
    const ws = tempWorkspace();
    const claudeDir = join(ws.home, ".claude");
    for (const [file, content] of Object.entries(files)) {
      const path = file.startsWith("~/") ? join(claudeDir, file.slice(2)) : join(ws.root, file);
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
    }
    return { ws, places: { workspace: ws.root, configDir: join(ws.home, "config"), dataDir: join(ws.home, "data"), claudeDir } };
  }

  it("a project's deny and ask apply at once; its allow waits for trust, which is remembered until the rules change", () => {
    const { places: where } = places({
      ".claude/settings.json": { permissions: { deny: ["Read(./.env)"], ask: ["Bash(git push:*)"], allow: ["Bash(npm test:*)"] } },
    });
    const first = loadPermissions(where);
    expect(first.rules().deny.map((r) => r.text)).toEqual(["Read(./.env)"]);
    expect(first.rules().ask.map((r) => r.text)).toEqual(["Bash(git push:*)"]);
    expect(first.rules().allow).toEqual([]);
    expect(first.untrusted()).toEqual([`Bash(npm test:*) (${join(where.workspace, ".claude/settings.json")})`]);
    expect(first.readDenied(join(where.workspace, ".env"))).toBe(`"Read(./.env)" (${join(where.workspace, ".claude/settings.json")})`);
    expect(first.trust()).toBe(true);
    expect(first.rules().allow.map((r) => r.text)).toEqual(["Bash(npm test:*)"]);
    expect(loadPermissions(where).rules().allow.map((r) => r.text)).toEqual(["Bash(npm test:*)"]);
    writeFileSync(join(where.workspace, ".claude/settings.json"), JSON.stringify({ permissions: { allow: ["Bash"] } }));
    expect(loadPermissions(where).rules().allow).toEqual([]);
  });

  it("the person's own allow applies at once; bypassPermissions only from their own file; bad rules are one line each", () => {
    const { places: where } = places({
      "~/settings.json": { permissions: { allow: ["Bash(npm test:*)", "Bash(oops"], defaultMode: "bypassPermissions" }, sandbox: { network: { allowedDomains: ["registry.npmjs.org"] } } },
      ".claude/settings.local.json": { permissions: { defaultMode: "plan", deny: "Bash" } },
      ".mini-claude/settings.json": "{ not json",
    });
    const loaded = loadPermissions(where);
    expect(loaded.rules().allow.map((r) => r.text)).toEqual(["Bash(npm test:*)"]);
    expect(loaded.allowedDomains()).toEqual(["registry.npmjs.org"]);
    const local = join(where.workspace, ".claude/settings.local.json");
    expect(loaded.problems).toEqual([
      `${join(where.claudeDir, "settings.json")}: permissions.allow rule "Bash(oops" ignored: not of the form Tool or Tool(specifier).`,
      `${local}: permissions.deny is not a list; ignored.`,
      expect.stringMatching(/^.*\.mini-claude\/settings\.json: .*JSON.*; its permissions are ignored\.$/),
    ]);
    // The project's "plan" is the mode in force, so the person's bypassPermissions is not.
    expect(loaded.bypass).toBe(false);
    const own = loadPermissions(places({ "~/settings.json": { permissions: { defaultMode: "bypassPermissions" } } }).places);
    expect(own.bypass).toBe(true);
    const project = loadPermissions(places({ ".claude/settings.json": { permissions: { defaultMode: "bypassPermissions" } } }).places);
    expect(project.bypass).toBe(false);
    expect(project.problems[0]).toMatch(/defaultMode bypassPermissions is ignored in a project's settings; only your own settings may turn questions off\.$/);
    // acceptEdits gives power too: only from the person's own file.
    const edits = loadPermissions(places({ ".claude/settings.json": { permissions: { defaultMode: "acceptEdits" } } }).places);
    expect(edits.defaultMode).toBeUndefined();
    expect(edits.problems[0]).toMatch(/defaultMode acceptEdits is ignored in a project's settings; only your own settings may let edits run unasked\.$/);
    // Your plan holds against a project's default, auto, acceptEdits or dontAsk; its plan holds against your default.
    for (const project of ["default", "auto", "acceptEdits", "dontAsk"]) {
      const both = loadPermissions(places({ "~/settings.json": { permissions: { defaultMode: "plan" } }, ".claude/settings.json": { permissions: { defaultMode: project } } }).places);
      expect(both.defaultMode?.mode).toBe("plan");
    }
    const stricter = loadPermissions(places({ "~/settings.json": { permissions: { defaultMode: "default" } }, ".claude/settings.json": { permissions: { defaultMode: "plan" } } }).places);
    expect(stricter.defaultMode?.mode).toBe("plan");
  });
});
