import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("prompt templates from the command line", () => {
  it("-p '/name args' sends the expansion, with the template's model; --show prints it and its tokens without sending", async () => {
    const ws = tempWorkspace({ ".claude/commands/review.md": "---\ndescription: Review\nmodel: review-model\n---\nReview $ARGUMENTS carefully.\n" });
    const fake = await fakeOpenAI([reply().text("Looks fine.")]);
    const shown = await runCli(["-p", "/review src/app.ts --show"], cliOptions(ws, fake));
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Review src\/app\.ts carefully\.\n\n\(\/review from .*\.claude\/commands\/review\.md: about \d+ tokens, model review-model; not sent\)\n$/);
    expect(fake.requests).toHaveLength(0);
    const sent = await runCli(["-p", "/review src/app.ts"], cliOptions(ws, fake));
    expect(sent.stdout).toBe("Looks fine.\n");
    expect(fake.requests[0].messages[1].content).toBe("Review src/app.ts carefully.");
    expect(fake.requests[0].model).toBe("review-model");
  });

  it("in the REPL: /help lists templates, Tab completes them, an unknown /name says what exists", async () => {
    const ws = tempWorkspace({ ".pi/prompts/plan.md": "---\ndescription: Plan the work\n---\nPlan: $ARGUMENTS\n" });
    const fake = await fakeOpenAI([reply().text("Step one.")]);
    const pty = startPty([], cliOptions(ws, fake));
    await pty.waitFor("mini-claude>");
    pty.type("/help\r");
    await pty.waitFor("/plan      Plan the work");
    pty.type("/nope\r");
    await pty.waitFor(/Unknown command \/nope\. Available: .*\/hooks.* \/plan/);
    const mark = pty.screen().length;
    pty.type("/pl\t");
    await pty.waitFor("/plan", { from: mark });
    pty.type(" the release\r");
    await pty.waitFor("Step one.");
    await pty.quit();
    expect(fake.requests[0].messages[1].content).toBe("Plan: the release");
  });
});
