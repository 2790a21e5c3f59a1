import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("skills, end to end", () => {
  it("the model sees each skill's one line, and loads a user skill's body with read_file although it lives outside the workspace", async () => {
    const ws = tempWorkspace({ ".claude/skills/pdf/SKILL.md": "---\nname: pdf\ndescription: Fill PDF forms\n---\nUse pdftk.\n" });
    const file = join(ws.home, "skills", "changelog", "SKILL.md");
    mkdirSync(join(ws.home, "skills", "changelog"), { recursive: true });
    writeFileSync(file, "---\nname: changelog\ndescription: Write the changelog entry for a release\n---\nGroup entries under Added, Fixed, Changed.\n");
    const fake = await fakeOpenAI([reply().tool("read_file", { path: file }, "call_skill"), reply().text("Entry written.")]);
    const result = await runCli(["-p", "write the changelog"], cliOptions(ws, fake));
    expect(result.code).toBe(0);
    const system = fake.requests[0].messages[0].content;
    expect(system).toContain("- pdf: Fill PDF forms (.claude/skills/pdf/SKILL.md)");
    expect(system).toContain(`- changelog: Write the changelog entry for a release (${file})`);
    expect(system).not.toContain("Use pdftk");
    const observation = fake.requests[1].messages.find((m: any) => m.tool_call_id === "call_skill").content;
    expect(observation).toContain("Group entries under Added, Fixed, Changed.");
  });
});
