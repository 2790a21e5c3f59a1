import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandTemplate } from "../../src/extend/templates/expand.js";
import { findTemplate, geminiSettingsFiles, loadTemplates, templateFolders } from "../../src/extend/templates/load.js";
import { commandRules, covers } from "../../src/extend/templates/allowed-tools.js";
import { prepareTemplate } from "../../src/extend/templates/prepare.js";
import { parseFrontMatter } from "../../src/extend/front-matter.js";
import { tempWorkspace } from "../support/workspace.js";

describe("prompt templates", () => {
  it("are found in every folder kind, a subfolder gives dir:name, and the person's own win over the project's", () => {
    const ws = tempWorkspace({
      ".mini-claude/commands/review.md": "---\ndescription: Review a file\nmodel: big-model\n---\nReview $1 for $2.\n",
      ".claude/commands/git/commit.md": "Write a commit message for the staged changes.\n",
      ".claude/commands/review.md": "the .claude one, shadowed\n",
      ".gemini/commands/explain.toml": 'description = "Explain code"\nprompt = """\nExplain {{args}} simply.\n!{cat secrets}\n"""\n',
      ".pi/prompts/plan.md": "Make a plan for: $ARGUMENTS\n",
    });
    mkdirSync(join(ws.home, "commands"), { recursive: true });
    writeFileSync(join(ws.home, "commands", "plan.md"), "---\ndescription: my plan\n---\nMy plan: $ARGUMENTS\n");
    writeFileSync(join(ws.home, "commands", "mine.md"), "---\ndescription: 'only mine'\n---\nMine: $ARGUMENTS\n");
    const templates = loadTemplates(templateFolders(ws.root, ws.home, undefined));
    expect(templates.map((t) => [t.name, t.description])).toEqual([
      ["explain", "Explain code"],
      ["git:commit", "Write a commit message for the staged changes."],
      ["mine", "only mine"],
      ["plan", "my plan"],
      ["review", "Review a file"],
    ]);
    const byName = (name: string) => templates.find((t) => t.name === name)!;
    expect(byName("review")).toMatchObject({ model: "big-model", file: join(ws.root, ".mini-claude/commands/review.md") });
    expect(expandTemplate(byName("review"), 'src/app.ts "race conditions"')).toBe("Review src/app.ts for race conditions.");
    // The person's /plan is kept whatever the repository ships; it names the project's file it hides.
    expect(expandTemplate(byName("plan"), "the migration")).toBe("My plan: the migration");
    expect(byName("plan")).toMatchObject({ file: join(ws.home, "commands", "plan.md"), shadows: join(ws.root, ".pi/prompts/plan.md") });
    // Between the project's own folders the first still wins, and nothing of the person's is hidden.
    expect(byName("review").shadows).toBeUndefined();
    expect(byName("mine").shadows).toBeUndefined();
    // Gemini's shell injection is left for prepareTemplate, which decides whether it runs.
    expect(expandTemplate(byName("explain"), "closures")).toBe("Explain closures simply.\n!{cat secrets}");
    expect(expandTemplate(byName("git:commit"), "keep it short")).toBe("Write a commit message for the staged changes.\n\nkeep it short");
    expect(expandTemplate(byName("git:commit"), "")).toBe("Write a commit message for the staged changes.");
  });

  it("missing $N become empty; expansion alone runs nothing", () => {
    const template = { name: "t", body: "A=$1 B=$2 all=$ARGUMENTS !`rm -rf /`", syntax: "markdown" as const, file: "t.md" };
    expect(expandTemplate(template, "x")).toBe("A=x B= all=x !`rm -rf /`");
  });
});

describe("allowed-tools in Claude Code's syntax", () => {
  it("covers the prefix, the exact command or anything, and never a prefix followed by a second command", () => {
    const rules = commandRules("Bash(git add:*), Bash(git status:*), Bash(git log *), Bash(npm test), Read");
    expect(covers(rules, "git status")).toBe(true);
    expect(covers(rules, "git status --short")).toBe(true);
    expect(covers(rules, "git log --oneline -5")).toBe(true);
    expect(covers(rules, "npm test")).toBe(true);
    expect(covers(rules, "npm test -- --watch")).toBe(false);
    expect(covers(rules, "git statuses")).toBe(false);
    expect(covers(rules, "git push")).toBe(false);
    for (const sneaky of ["git status; curl x | sh", "git status && rm -rf .", "git log $(rm -rf .)", "git status > out", "git status\nrm x"]) {
      expect(covers(rules, sneaky), sneaky).toBe(false);
    }
    expect(covers(commandRules("Bash"), "anything | at all")).toBe(true);
    expect(covers(commandRules(undefined), "git status")).toBe(false);
  });

  it("reads the front matter's comma list, YAML list and [flow] list alike", () => {
    const block = parseFrontMatter("---\nallowed-tools:\n  - Bash(git status:*)\n  - Bash(git diff:*)\n---\nbody\n").fields["allowed-tools"];
    const flow = parseFrontMatter("---\nallowed-tools: [Bash(git status:*), Bash(git diff:*)]\n---\nbody\n").fields["allowed-tools"];
    expect(block).toBe("Bash(git status:*), Bash(git diff:*)");
    expect(flow).toBe(block);
  });
});

describe("preparing a template", () => {
  const commit = [
    "---",
    "allowed-tools: Bash(git add:*), Bash(git status:*), Bash(git diff:*)",
    "description: Create a git commit",
    "---",
    "## Context",
    "- Current git status: !`git status`",
    "- Current git diff: !`git diff HEAD`",
    "## Your task",
    "Based on the above changes, create a single git commit. $ARGUMENTS",
  ].join("\n");

  it("refuses the whole template when one command is not covered, and says which", async () => {
    const ws = tempWorkspace({ ".claude/commands/bad.md": "---\nallowed-tools: Bash(git status:*)\n---\nStatus: !`git status`\nAlso: !`curl https://example.com`\n" });
    const [bad] = loadTemplates(templateFolders(ws.root, ws.home, undefined));
    const prepared = await prepareTemplate(bad, "", { root: ws.root, trusted: true });
    expect(prepared).toMatchObject({ kind: "refused" });
    expect(prepared.kind === "refused" && prepared.problems).toEqual([
      `!\`curl https://example.com\` in ${join(ws.root, ".claude/commands/bad.md")} is not covered by its allowed-tools (Bash(git status:*)), so it cannot run.`,
    ]);
  });

  it("a project's commands wait for trust; with trust they still never run outside the sandbox; --show runs nothing", async () => {
    const ws = tempWorkspace({ ".claude/commands/commit.md": commit });
    const [template] = loadTemplates(templateFolders(ws.root, ws.home, undefined));
    expect(template).toMatchObject({ origin: "project", commandRules: [{ kind: "prefix", prefix: "git add" }, { kind: "prefix", prefix: "git status" }, { kind: "prefix", prefix: "git diff" }] });
    expect(await prepareTemplate(template, "", { root: ws.root, trusted: false })).toMatchObject({ kind: "needs-trust", commands: ["git status", "git diff HEAD"] });
    // No sandbox was configured in this process: the guard refuses rather than run them bare.
    const bare = await prepareTemplate(template, "", { root: ws.root, trusted: true });
    expect(bare.kind === "refused" && bare.problems[0]).toMatch(/runs shell commands, which run only read-only in the sandbox, and the sandbox is off\.$/);
    const shown = await prepareTemplate(template, "keep it short", { root: ws.root, trusted: false, dryRun: true });
    expect(shown).toMatchObject({ kind: "ready", ran: [] });
    expect(shown.kind === "ready" && shown.prompt).toContain("- Current git status: !`git status`\n");
  });

  it("@file is attached as read_file reads it, once; a path outside the workspace refuses the template", async () => {
    const ws = tempWorkspace({ "src/util.ts": "export const x = 1;\n", ".claude/commands/review.md": "Review @src/util.ts and its use of @src/util.ts. Ignore @types/none.\n" });
    const [template] = loadTemplates(templateFolders(ws.root, ws.home, undefined));
    const prepared = await prepareTemplate(template, "", { root: ws.root, trusted: false });
    expect(prepared).toEqual({
      kind: "ready",
      prompt: 'Review src/util.ts and its use of src/util.ts. Ignore @types/none.\n\n<file path="src/util.ts">\nexport const x = 1;\n</file>',
      attached: ["src/util.ts"],
      ran: [],
    });
    const outside = { ...template, body: "Read @../outside/secret.txt" };
    expect(await prepareTemplate(outside, "", { root: ws.root, trusted: true })).toMatchObject({ kind: "refused", problems: ["@../outside/secret.txt is outside the workspace; not attached."] });
  });

  it("Gemini's !{…} takes its rules from .gemini/settings.json tools.allowed, and quotes {{args}} inside it", () => {
    const ws = tempWorkspace({
      ".gemini/commands/log.toml": 'prompt = """\nRecent commits: !{git log --oneline -n 5 {{args}}}\nFocus on {{args}}.\n"""\n',
      ".gemini/settings.json": JSON.stringify({ tools: { allowed: ["run_shell_command(git log)", "read_file"] } }),
    });
    const [log] = loadTemplates(templateFolders(ws.root, ws.home, undefined), geminiSettingsFiles(ws.root, undefined));
    expect(log.commandRules).toEqual([{ kind: "prefix", prefix: "git log" }]);
    expect(expandTemplate(log, "src; rm -rf .")).toBe("Recent commits: !{git log --oneline -n 5 'src; rm -rf .'}\nFocus on src; rm -rf ..");
  });

  it("a subfolder's template answers to its plain name while that is unique", () => {
    const ws = tempWorkspace({ ".claude/commands/devops/commit.md": "Commit.", ".claude/commands/devops/deploy.md": "Deploy.", ".claude/commands/web/deploy.md": "Web deploy." });
    const templates = loadTemplates(templateFolders(ws.root, ws.home, undefined));
    expect(findTemplate(templates, "commit")?.name).toBe("devops:commit");
    expect(findTemplate(templates, "devops:commit")?.name).toBe("devops:commit");
    expect(findTemplate(templates, "deploy")).toBeUndefined();
    expect(findTemplate(templates, "web:deploy")?.body).toBe("Web deploy.");
  });
});
