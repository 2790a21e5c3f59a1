import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandTemplate } from "../src/templates/expand.js";
import { loadTemplates, templateFolders } from "../src/templates/load.js";
import { tempWorkspace } from "./support/workspace.js";

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
    // Gemini's shell injection stays text.
    expect(expandTemplate(byName("explain"), "closures")).toBe("Explain closures simply.\n!{cat secrets}");
    expect(expandTemplate(byName("git:commit"), "keep it short")).toBe("Write a commit message for the staged changes.\n\nkeep it short");
    expect(expandTemplate(byName("git:commit"), "")).toBe("Write a commit message for the staged changes.");
  });

  it("missing $N become empty, and nothing runs: Claude Code's !`command` stays as written", () => {
    const template = { name: "t", body: "A=$1 B=$2 all=$ARGUMENTS !`rm -rf /`", syntax: "markdown" as const, file: "t.md" };
    expect(expandTemplate(template, "x")).toBe("A=x B= all=x !`rm -rf /`");
  });
});
