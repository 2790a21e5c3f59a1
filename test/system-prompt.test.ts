import { execFileSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectInstructions } from "../src/system-prompt.js";
import { tempWorkspace } from "./support/workspace.js";

describe("loadProjectInstructions", () => {
  it("reads AGENTS.md, or CLAUDE.md, also through a link that stays inside the workspace", () => {
    const ws = tempWorkspace({ "docs/agents.md": "Use pnpm.\n", "CLAUDE.md": "Use yarn." });
    expect(loadProjectInstructions(ws.root)).toEqual({ file: "CLAUDE.md", text: "Use yarn." });
    symlinkSync("docs/agents.md", join(ws.root, "AGENTS.md"));
    expect(loadProjectInstructions(ws.root)).toEqual({ file: "AGENTS.md", text: "Use pnpm." });
  });

  it("never follows a link out of the workspace: the person's files and the process environment stay out of the prompt", () => {
    const ws = tempWorkspace({ "CLAUDE.md": "Project rules." });
    writeFileSync(join(ws.outside, "id_rsa"), "-----BEGIN OPENSSH PRIVATE KEY-----");
    symlinkSync(join(ws.outside, "id_rsa"), join(ws.root, "AGENTS.md"));
    expect(loadProjectInstructions(ws.root)).toEqual({ file: "CLAUDE.md", text: "Project rules." });
    const environ = tempWorkspace();
    symlinkSync("/proc/self/environ", join(environ.root, "AGENTS.md"));
    symlinkSync("/dev/zero", join(environ.root, "CLAUDE.md"));
    expect(loadProjectInstructions(environ.root)).toBeUndefined();
  });

  it("passes over a FIFO at once instead of waiting for a writer", () => {
    const ws = tempWorkspace({ "CLAUDE.md": "Fallback." });
    execFileSync("mkfifo", [join(ws.root, "AGENTS.md")]);
    const started = Date.now();
    expect(loadProjectInstructions(ws.root)).toEqual({ file: "CLAUDE.md", text: "Fallback." });
    expect(Date.now() - started).toBeLessThan(500);
  });

  // mknod needs root; a device node inside the workspace is what a hostile archive could unpack.
  it.skipIf(process.getuid?.() !== 0)("passes over a device node inside the workspace", () => {
    const ws = tempWorkspace();
    execFileSync("mknod", [join(ws.root, "AGENTS.md"), "c", "1", "5"]);
    expect(loadProjectInstructions(ws.root)).toBeUndefined();
  });

  it("reads no more than its cap from a huge file", () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.root, "AGENTS.md"), "rule\n".repeat(4_000_000));
    const loaded = loadProjectInstructions(ws.root)!;
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
    const loaded = loadProjectInstructions(app)!;
    expect(loaded.file).toBe("../../AGENTS.md, CLAUDE.md");
    expect(loaded.text).toBe("[../../AGENTS.md]\nUse npm.\n\n[CLAUDE.md]\nUse pnpm here.\n(Where these disagree, the later file, nearer the workspace, wins.)");
    // Without a repository only the workspace's own file counts.
    const plain = tempWorkspace({ "AGENTS.md": "Just me." });
    expect(loadProjectInstructions(plain.root)).toEqual({ file: "AGENTS.md", text: "Just me." });
  });
});
