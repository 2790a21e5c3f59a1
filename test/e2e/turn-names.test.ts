import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

describe("turns are named by what the person typed", () => {
  it("--resume and the -c recap show the request, not a UserPromptSubmit hook's context sent with it", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.home, "settings.json"), JSON.stringify({ hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: "echo 'Branch: main, 3 files changed'" }] }] } }));
    const fake = await fakeOpenAI([reply().text("Fixed it."), reply().text("Still fixed.")]);
    expect((await runCli(["-p", "fix the login bug"], cliOptions(ws, fake))).code).toBe(0);
    // The model got the context; the lists name the request.
    expect(fake.requests[0].messages[1].content).toBe("Branch: main, 3 files changed\n\nfix the login bug");
    const list = await runCli(["--resume"], cliOptions(ws, fake));
    expect(list.stdout).toContain("fix the login bug");
    expect(list.stdout).not.toContain("Branch");
    const pty = startPty(["-c"], { ...cliOptions(ws, fake), columns: 80 });
    await pty.waitFor("mini-claude> ");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("› fix the login bug");
    expect(screen).toContain("  Fixed it.");
    expect(screen).not.toContain("Branch");
  });

  it("/rewind lists a turn sent after a !command by the !command and the request", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("write_file", { path: "a.txt", content: "hello\n" }), reply().text("Wrote it.")]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("!echo hi\r");
    await pty.waitFor("(the output goes with your next request)");
    pty.type("write a.txt\r");
    await pty.waitFor("Wrote it.");
    pty.type("/rewind\r");
    await pty.waitFor("/rewind N");
    await pty.quit();
    expect(fake.requests[0].messages.at(-1).content).toMatch(/^I ran `echo hi` in the workspace myself/);
    const screen = await pty.rendered();
    expect(screen).toContain('1. "!echo hi write a.txt" — created a.txt');
    // At 60 columns the hint below the list breaks at a space, with a hanging indent.
    expect(screen).toContain("Restore to before one: /rewind N [files|conversation]\n  (default both); /undo is the last turn.");
  });
});
