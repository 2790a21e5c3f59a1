import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const userText = (body: any) => body.messages.filter((m: any) => m.role === "user").at(-1).content as string;

describe.each([60, 120])("mentions, shell escapes and resume at %i columns", (columns) => {
  it("@file attaches the file (Tab completes its path); !cmd shows its output and it joins the next request", async () => {
    const ws = tempWorkspace({ "src/notes-file.txt": "the secret ingredient is basil\n" });
    const fake = await fakeOpenAI([reply().text("Basil, noted."), reply().text("Saw the listing.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns });
    pty.type("what is in @src/no\t");
    await pty.waitFor("@src/notes-file.txt");
    pty.type(" please\r");
    await pty.waitFor("Basil, noted.");
    pty.type("!echo from-my-shell; ls src\r");
    await pty.waitFor("(exit 0)");
    await pty.waitFor("goes with your next request");
    pty.type("what did you see?\r");
    await pty.waitFor("Saw the listing.");
    await pty.quit();
    expect(fake.requests).toHaveLength(2);
    const first = userText(fake.requests[0]);
    expect(first).toContain("what is in @src/notes-file.txt please");
    expect(first).toContain('<file path="src/notes-file.txt">\nthe secret ingredient is basil\n</file>');
    const second = userText(fake.requests[1]);
    expect(second).toMatch(/^I ran `echo from-my-shell; ls src` in the workspace myself \(exit 0\)/);
    expect(second).toContain("from-my-shell\nnotes-file.txt");
    expect(second).toMatch(/what did you see\?$/);
    const screen = await pty.rendered();
    expect(screen).toContain("(attached src/notes-file.txt)");
    expect(screen).toContain("from-my-shell\nnotes-file.txt\n(exit 0)");
  });

  it("resuming reprints the last exchange compactly", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("The answer is forty-two.\nSecond line of it."), reply().text("Welcome back.")]);
    await runCli(["-p", "what is the answer"], cliOptions(ws, fake));
    const pty = await startRepl(["-c"], { ...cliOptions(ws, fake), columns });
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("── earlier in this session ──\n› what is the answer\n  The answer is forty-two.\n  Second line of it.\n──");
  });
});

describe("the session picker", () => {
  it("--resume with no id on a terminal lists sessions; arrows move, Enter resumes", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("One."), reply().text("Two.")]);
    await runCli(["-p", "the older request"], cliOptions(ws, fake));
    await new Promise((r) => setTimeout(r, 1100));
    await runCli(["-p", "the newer request"], cliOptions(ws, fake));
    const pty = startPty(["--resume"], { ...cliOptions(ws, fake), columns: 60 });
    await pty.waitFor("Resume which session?");
    await pty.waitFor("the older request");
    pty.type("\x1b[B");
    await new Promise((r) => setTimeout(r, 200));
    pty.type("\r");
    await pty.waitFor("mini-claude> ");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toMatch(/Resumed session \S+ \(1 earlier request\)/);
    expect(screen).toContain("› the older request\n  One.");
  });
});
