import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSkills, MAX_LISTED_SKILLS, skillFolders, skillsSection } from "../../src/extend/skills.js";
import { systemPrompt } from "../../src/extend/system-prompt.js";
import { runTool, type ToolContext } from "../../src/tools/index.js";
import { tempWorkspace } from "../support/workspace.js";
import { approveAll } from "../support/approve-all.js";

const skill = (name: string, description: string) => `---\nname: ${name}\ndescription: ${description}\n---\n\n# ${name}\n\nThe body the model reads when it needs it.\n`;

describe("skills", () => {
  it("are found in every folder kind; the project's win; only name, description and path reach the prompt", () => {
    const ws = tempWorkspace({
      ".mini-claude/skills/release/SKILL.md": skill("release", "Cut a release: bump, changelog, tag"),
      ".claude/skills/pdf/SKILL.md": skill("pdf", "Fill and extract PDF forms"),
      ".agents/skills/db/SKILL.md": skill("db-migrations", "Write and check database migrations"),
      ".claude/skills/no-description/SKILL.md": "---\nname: nameless\n---\nbody\n",
    });
    const user = join(ws.home, "skills");
    mkdirSync(join(user, "pdf"), { recursive: true });
    writeFileSync(join(user, "pdf", "SKILL.md"), skill("pdf", "the user's pdf skill, shadowed"));
    mkdirSync(join(user, "review"), { recursive: true });
    writeFileSync(join(user, "review", "SKILL.md"), skill("review", ">\n  Review a diff\n  like a senior engineer"));
    const set = loadSkills(ws.root, skillFolders(ws.root, ws.home, undefined));
    expect(set.listed).toEqual([
      { name: "release", description: "Cut a release: bump, changelog, tag", path: ".mini-claude/skills/release/SKILL.md" },
      { name: "pdf", description: "Fill and extract PDF forms", path: ".claude/skills/pdf/SKILL.md" },
      { name: "db-migrations", description: "Write and check database migrations", path: ".agents/skills/db/SKILL.md" },
      { name: "review", description: "Review a diff like a senior engineer", path: join(user, "review", "SKILL.md") },
    ]);
    expect(set.readOnlyRoots).toEqual([user]);
    const prompt = systemPrompt({ root: ws.root, skills: skillsSection(set) });
    expect(prompt).toContain("Skills: when a task matches one, read its file with read_file first and follow it.\n- release: Cut a release: bump, changelog, tag (.mini-claude/skills/release/SKILL.md)");
    expect(prompt).not.toContain("The body the model reads");
  });

  it("descriptions keep Claude Code's 1,024 characters, so its 'TRIGGER when…' clauses reach the model", () => {
    const trigger = `Build charts from CSV files. TRIGGER when the user asks for a plot, chart or graph; ${"also when a table needs a picture; ".repeat(24)}`.trim();
    expect(trigger.length).toBeGreaterThan(900);
    expect(trigger.length).toBeLessThan(1024);
    const ws = tempWorkspace({ ".claude/skills/charts/SKILL.md": skill("charts", trigger), ".claude/skills/long/SKILL.md": skill("long", "x".repeat(1500)) });
    const set = loadSkills(ws.root, skillFolders(ws.root, ws.home, undefined));
    expect(set.listed[0].description).toBe(trigger);
    expect(set.listed[1].description).toBe(`${"x".repeat(1023)}…`);
  });

  it("the list is capped and says how many were left out", () => {
    const ws = tempWorkspace();
    for (let i = 0; i < MAX_LISTED_SKILLS + 3; i++) ws.write(`.claude/skills/s${String(i).padStart(2, "0")}/SKILL.md`, skill(`s${i}`, `skill ${i}`));
    const set = loadSkills(ws.root, skillFolders(ws.root, ws.home, undefined));
    expect(set.listed).toHaveLength(MAX_LISTED_SKILLS);
    expect(skillsSection(set).at(-1)).toBe("(3 more skills are installed but not listed.)");
  });

  it("read_file may read a skill in the user config; no tool may write there, and nothing else outside is readable", async () => {
    const ws = tempWorkspace();
    const user = join(ws.home, "skills");
    mkdirSync(join(user, "review"), { recursive: true });
    writeFileSync(join(user, "review", "SKILL.md"), skill("review", "Review a diff"));
    writeFileSync(join(ws.home, "secret.txt"), "not for the model\n");
    const set = loadSkills(ws.root, skillFolders(ws.root, ws.home, undefined));
    const ctx = { root: ws.root, signal: new AbortController().signal, readOnlyRoots: set.readOnlyRoots, approve: approveAll } as ToolContext;
    const call = (name: string, args: object) => runTool({ name, arguments: JSON.stringify(args) }, ctx);
    const read = await call("read_file", { path: join(user, "review", "SKILL.md") });
    expect(read.output).toContain("The body the model reads when it needs it.");
    const write = await call("write_file", { path: join(user, "review", "SKILL.md"), content: "hijacked" });
    expect(write.output).toMatch(/^Error: Path .* resolves outside the workspace/);
    const edit = await call("edit_file", { path: join(user, "review", "SKILL.md"), old_string: "body", new_string: "x" });
    expect(edit.ok).toBe(false);
    const secret = await call("read_file", { path: join(ws.home, "secret.txt") });
    expect(secret.output).toMatch(/^Error: Path .* resolves outside the workspace/);
  });
});
