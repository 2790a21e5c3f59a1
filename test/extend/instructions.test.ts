import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectInstructions } from "../../src/extend/instructions.js";
import { SubfolderInstructions, withSubfolderInstructions } from "../../src/extend/subfolder-instructions.js";
import { createRegistry, type ToolContext } from "../../src/tools/index.js";
import { approveAll } from "../support/approve-all.js";
import { tempWorkspace } from "../support/workspace.js";

describe("loadProjectInstructions", () => {
  it("reads AGENTS.md and CLAUDE.md, also through a link that stays inside the workspace", () => {
    const ws = tempWorkspace({ "docs/agents.md": "Use pnpm.\n", "CLAUDE.md": "Use yarn." });
    expect(loadProjectInstructions(ws.root, ws.home)).toMatchObject({ file: "CLAUDE.md", text: "Use yarn." });
    symlinkSync("docs/agents.md", join(ws.root, "AGENTS.md"));
    expect(loadProjectInstructions(ws.root, ws.home)).toMatchObject({
      file: "AGENTS.md, CLAUDE.md",
      text: "[AGENTS.md]\nUse pnpm.\n\n[CLAUDE.md]\nUse yarn.\n(Where these disagree, the later file, nearer the workspace, wins.)",
    });
  });

  it("never follows a link out of the workspace: the person's files and the process environment stay out of the prompt", () => {
    const ws = tempWorkspace({ "CLAUDE.md": "Project rules." });
    writeFileSync(join(ws.outside, "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----");
    symlinkSync(join(ws.outside, "id_rsa"), join(ws.root, "AGENTS.md"));
    expect(loadProjectInstructions(ws.root, ws.home)).toMatchObject({ file: "CLAUDE.md", text: "Project rules." });
    const environ = tempWorkspace();
    symlinkSync("/proc/self/environ", join(environ.root, "AGENTS.md"));
    symlinkSync("/dev/zero", join(environ.root, "CLAUDE.md"));
    expect(loadProjectInstructions(environ.root, undefined)).toBeUndefined();
  });

  it("passes over a FIFO at once instead of waiting for a writer", () => {
    const ws = tempWorkspace({ "CLAUDE.md": "Fallback." });
    execFileSync("mkfifo", [join(ws.root, "AGENTS.md")]);
    const started = Date.now();
    expect(loadProjectInstructions(ws.root, ws.home)).toMatchObject({ file: "CLAUDE.md", text: "Fallback." });
    expect(Date.now() - started).toBeLessThan(500);
  });

  // mknod needs root; a device node inside the workspace is what a hostile archive could unpack.
  it.skipIf(process.getuid?.() !== 0)("passes over a device node inside the workspace", () => {
    const ws = tempWorkspace();
    execFileSync("mknod", [join(ws.root, "AGENTS.md"), "c", "1", "5"]);
    expect(loadProjectInstructions(ws.root, ws.home)).toBeUndefined();
  });

  it("reads no more than its cap from a huge file", () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.root, "AGENTS.md"), "rule\n".repeat(4_000_000));
    const loaded = loadProjectInstructions(ws.root, ws.home)!;
    expect(loaded.text.length).toBe(8000 + "\n[…truncated]".length);
    expect(loaded.text.endsWith("\n[…truncated]")).toBe(true);
  });
});

describe("instructions from the workspace's parents", () => {
  it("reads AGENTS.md up to the git root, farthest first, nearest said to win; nothing above the repository", async () => {
    const { mkdirSync, realpathSync } = await import("node:fs");
    const ws = tempWorkspace({ "repo/AGENTS.md": "Use npm.", "repo/pkg/app/CLAUDE.md": "Use pnpm here.", "AGENTS.md": "Outside the repo." });
    mkdirSync(join(ws.root, "repo/.git"));
    const app = realpathSync(join(ws.root, "repo/pkg/app"));
    const loaded = loadProjectInstructions(app, undefined)!;
    expect(loaded.file).toBe("../../AGENTS.md, CLAUDE.md");
    expect(loaded.text).toBe("[../../AGENTS.md]\nUse npm.\n\n[CLAUDE.md]\nUse pnpm here.\n(Where these disagree, the later file, nearer the workspace, wins.)");
    // Without a repository only the workspace's own file counts.
    const plain = tempWorkspace({ "AGENTS.md": "Just me." });
    expect(loadProjectInstructions(plain.root, undefined)).toMatchObject({ file: "AGENTS.md", text: "Just me." });
  });
});

describe("Claude Code's layouts: both files, imports, CLAUDE.local.md, ~/.claude/CLAUDE.md", () => {
  it("CLAUDE.md that says 'See @AGENTS.md' plus its own sections loads both, AGENTS.md once", () => {
    const ws = tempWorkspace({
      "AGENTS.md": "# Agents\nRun tests with npm test.\n",
      "CLAUDE.md": "@AGENTS.md\n\n## Claude-specific\nKeep answers short.\n",
    });
    const loaded = loadProjectInstructions(ws.root, ws.home)!;
    expect(loaded.file).toBe("AGENTS.md, CLAUDE.md");
    expect(loaded.text).toBe(
      "[AGENTS.md]\n# Agents\nRun tests with npm test.\n\n[CLAUDE.md]\n## Claude-specific\nKeep answers short.\n(Where these disagree, the later file, nearer the workspace, wins.)",
    );
    expect(loaded.text.split("npm test").length).toBe(2);
  });

  it("follows @imports relative to the importing file and @~/.claude/, 5 hops at most, never in code or out of bounds", () => {
    const ws = tempWorkspace({
      "CLAUDE.md": [
        "Style: see @docs/style.md.",
        "Mine: @~/.claude/my-project.md",
        "Not these: @~/secrets.md @../outside/leak.md @missing.md and `@docs/code-span.md`",
        "```",
        "@docs/fenced.md",
        "```",
      ].join("\n"),
      "docs/style.md": "Tabs, not spaces. Naming: @../naming/rules.md",
      "naming/rules.md": "camelCase. Deeper: @d1.md",
      "naming/d1.md": "hop 3 @d2.md",
      "naming/d2.md": "hop 4 @d3.md",
      "naming/d3.md": "hop 5 @d4.md",
      "naming/d4.md": "hop 6: too deep",
      "docs/code-span.md": "CODE SPAN",
      "docs/fenced.md": "FENCED",
      "CLAUDE.local.md": "My local notes.",
    });
    writeFileSync(join(ws.outside, "leak.md"), "LEAKED");
    mkdirSync(join(ws.home, ".claude"));
    writeFileSync(join(ws.home, ".claude", "CLAUDE.md"), "The person's own rules.");
    writeFileSync(join(ws.home, ".claude", "my-project.md"), "Personal project notes.");
    writeFileSync(join(ws.home, "secrets.md"), "HOME SECRET");
    const loaded = loadProjectInstructions(ws.root, ws.home)!;
    expect(loaded.file).toBe(
      "~/.claude/CLAUDE.md, CLAUDE.md, docs/style.md, naming/rules.md, naming/d1.md, naming/d2.md, naming/d3.md, ~/.claude/my-project.md, CLAUDE.local.md",
    );
    expect(loaded.text.startsWith("[~/.claude/CLAUDE.md]\nThe person's own rules.\n\n[CLAUDE.md]\nStyle: see @docs/style.md.")).toBe(true);
    expect(loaded.text).toContain("[docs/style.md]\nTabs, not spaces.");
    expect(loaded.text).toContain("[naming/d3.md]\nhop 5 @d4.md\n\n[~/.claude/my-project.md]\nPersonal project notes.\n\n[CLAUDE.local.md]\nMy local notes.");
    for (const absent of ["too deep", "HOME SECRET", "LEAKED", "CODE SPAN", "FENCED"]) expect(loaded.text).not.toContain(absent);
  });

  it("the 8,000-character cap holds over imports", () => {
    const ws = tempWorkspace({ "CLAUDE.md": "@a.md @b.md", "a.md": "a".repeat(6000), "b.md": "b".repeat(6000) });
    const loaded = loadProjectInstructions(ws.root, ws.home)!;
    expect(loaded.text.length).toBe(8000 + "\n[…truncated]".length);
  });
});

describe("a subfolder's instructions", () => {
  it("join the first read_file observation in that folder, once, without repeating what the prompt has", async () => {
    const ws = tempWorkspace({
      "AGENTS.md": "Root rules.",
      "pkg/api/CLAUDE.md": "API rules: validate input.\n@../../AGENTS.md",
      "pkg/api/src/a.ts": "export const a = 1;\n",
      "pkg/api/src/b.ts": "export const b = 2;\n",
      "pkg/web/c.ts": "export const c = 3;\n",
    });
    const start = loadProjectInstructions(ws.root, ws.home);
    const registry = withSubfolderInstructions(createRegistry(), new SubfolderInstructions(ws.root, ws.home, start?.realPaths));
    const ctx = { root: ws.root, signal: new AbortController().signal, approve: approveAll } as ToolContext;
    const read = (path: string) => {
      const call = registry.prepare({ name: "read_file", arguments: JSON.stringify({ path }) });
      if ("error" in call) throw new Error(call.error);
      return registry.run(call, ctx);
    };
    const first = await read("pkg/api/src/a.ts");
    expect(first.output).toBe(
      "1\texport const a = 1;\n\n[Instructions from pkg/api/CLAUDE.md; they apply to the files in their folders:]\nAPI rules: validate input.",
    );
    expect(first.display).toContain("read pkg/api/CLAUDE.md");
    expect((await read("pkg/api/src/b.ts")).output).toBe("1\texport const b = 2;");
    expect((await read("pkg/web/c.ts")).output).toBe("1\texport const c = 3;");
  });
});

describe("an import's boundary is the folder of the file that was found", () => {
  it("a workspace with no repository of its own, under a parent repository, cannot import the parent's other files", async () => {
    const { mkdirSync: mkdir, realpathSync } = await import("node:fs");
    const ws = tempWorkspace({ "home/.git/HEAD": "", "home/.ssh/id_rsa": "PRIVATE KEY", "home/code/app/CLAUDE.md": "Rules. @../../.ssh/id_rsa" });
    mkdir(join(ws.root, "home/code/app/src"), { recursive: true });
    const loaded = loadProjectInstructions(realpathSync(join(ws.root, "home/code/app")), undefined)!;
    expect(loaded.text).toBe("Rules. @../../.ssh/id_rsa");
    expect(loaded.file).toBe("CLAUDE.md");
    expect(loaded.skipped).toEqual([{ from: "CLAUDE.md", token: "../../.ssh/id_rsa", why: "points outside the workspace; not read" }]);
  });
});
