import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { BWRAP_PROBLEM } from "../support/bwrap.js";
import { startRepl } from "../support/pty.js";
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

describe("the REPL: instructions, skills and trust", () => {
  it("the banner names every instructions file; /context shows each file's and the skills listing's cost", async () => {
    const ws = tempWorkspace({
      "AGENTS.md": "Run tests with npm test.\n",
      "CLAUDE.md": "@AGENTS.md\n\nClaude-specific: keep answers short.\n",
      "CLAUDE.local.md": "My notes.\n",
      ".claude/skills/pdf/SKILL.md": `---\nname: pdf\ndescription: ${"Fill PDF forms. ".repeat(20).trim()}\n---\nUse pdftk.\n`,
    });
    const fake = await fakeOpenAI([]);
    const pty = await startRepl([], cliOptions(ws, fake));
    await pty.waitFor("AGENTS.md, CLAUDE.md, CLAUDE.local.md loaded");
    pty.type("/context\r");
    await pty.waitFor(/No request sent yet; the first would carry about [\d,]+ tokens[\s\S]*System prompt +[\d,]+ +\d+%\s+mini-claude's own +[\d,]+ +\d+%\s+AGENTS\.md +\d+ +\d+%\s+CLAUDE\.md +\d+ +\d+%\s+CLAUDE\.local\.md +\d+ +\d+%\s+skills listing \(1 skill\) +(\d+)/);
    const listing = Number(/skills listing \(1 skill\) +(\d+)/.exec(pty.screen())![1]);
    expect(listing).toBeGreaterThan(60);
    await pty.quit();
  });

  it.skipIf(BWRAP_PROBLEM)("a project's template that runs commands asks first: 'n' sends nothing; 'y' runs them, sends, and is remembered", async () => {
    const ws = tempWorkspace({ ".claude/commands/st.md": "---\nallowed-tools: Bash(echo:*)\n---\nStatus: !`echo all-clean`\n" });
    const fake = await fakeOpenAI([reply().text("First answer."), reply().text("Second answer.")]);
    // Matched however the question wraps (the one wrap rule breaks it at spaces).
    const question = /\/st\s+from\s+\S*st\.md\s+runs\s+`echo\s+all-clean`\s+\(read-only,\s+in\s+the\s+sandbox,\s+no\s+network\)\s+and\s+sends\s+their\s+output\.\s+Trust\s+it\?\s+\[y\/N\]/;
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("/st\r");
    await pty.waitFor(question);
    pty.type("n\r");
    await pty.waitFor("/st was not sent.");
    expect(fake.requests).toHaveLength(0);
    let from = pty.screen().length;
    pty.type("/st\r");
    await pty.waitFor(question, { from });
    pty.type("y\r");
    await pty.waitFor("First answer.");
    expect(fake.requests[0].messages[1].content).toBe("Status: all-clean");
    from = pty.screen().length;
    pty.type("/st\r");
    await pty.waitFor("Second answer.", { from });
    expect(pty.screen().slice(from)).not.toMatch(question);
    await pty.quit();
  });
});
