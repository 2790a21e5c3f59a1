import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions, runCli } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const ESC = "\x1b[";

describe("rendering in a terminal", () => {
  it("renders Markdown and a coloured diff on a TTY, one line per tool call", async () => {
    const ws = tempWorkspace({ "app.js": "const greeting = 'hi';\nconsole.log(greeting);\n" });
    const fake = await fakeOpenAI([
      reply().tool("edit_file", { path: "app.js", old_string: "'hi'", new_string: "'hello'" }),
      reply().text("## Done\n\nChanged **one** line in `app.js`:\n\n- greeting is now hello\n"),
    ]);
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("say hello\r");
    await pty.waitFor("greeting is now hello");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("• edit_file app.js");
    expect(screen).toMatch(/└ Edited app\.js: replaced 1 occurrence\. · \d+\.\ds/);
    expect(screen).toContain("-const greeting = 'hi';");
    expect(screen).toContain("+const greeting = 'hello';");
    expect(screen).toContain("Done");
    expect(screen).not.toContain("## Done");
    expect(screen).not.toContain("**one**");
  });

  it("writes no escape codes with NO_COLOR (the Markdown laid out all the same), and none when piped", async () => {
    const ws = tempWorkspace({ "a.txt": "x\n" });
    const fake = await fakeOpenAI([reply().tool("edit_file", { path: "a.txt", old_string: "x", new_string: "y" }), reply().text("**bold**")]);
    const piped = await runCli([], cliOptions(ws, fake, { stdin: "go\n" }));
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout).toContain("**bold**");
    expect(piped.stdout).toContain("+y");

    fake.push(reply().text("## Plan\n\n- **plain** step\n- `npm test`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"));
    const pty = await startRepl([], cliOptions(ws, fake, { env: { NO_COLOR: "1" } }));
    pty.type("again\r");
    await pty.waitFor(/│ 1 +│ 2 +│[^]*mini-claude> /);
    await pty.quit();
    expect(pty.screen()).not.toMatch(/\x1b\[[0-9;]*m/);
    const screen = await pty.rendered();
    expect(screen).toMatch(/^ {2}\* plain step$/m);
    expect(screen).toMatch(/^ {2}\* npm test$/m);
    expect(screen).not.toContain("**plain**");
    expect(screen).not.toContain("## Plan");
  });
});

describe("streaming and approval in a real terminal", () => {
  it("shows reasoning as a live count and then one dim line, never its text", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().reasoning("Secret chain of thought here.").text("Plain answer.").delay(100)]);
    const pty = await startRepl([], { cwd: ws.root, home: ws.home, baseURL: fake.url });
    pty.type("think\r");
    await pty.waitFor("Plain answer.");
    await pty.quit();
    expect(pty.screen()).toMatch(/⠋|⠙|⠹|⠸/);
    expect(pty.screen()).toMatch(/thinking… \(\d+ chars\) \d+\.\ds/);
    expect(pty.screen()).not.toContain("Secret");
    const screen = await pty.rendered();
    expect(screen).toContain("thinking… (29 chars)\nPlain answer.");
  });

  it("/reasoning shows each reasoning whole, dimmed and indented under its count, and hides it again", async () => {
    const ws = tempWorkspace();
    const thought = "The person wants a plan. I will list three steps and keep each one short enough to read.";
    const fake = await fakeOpenAI([reply().reasoning(thought).text("Here is the plan."), reply().reasoning("Hidden again.").text("Second answer.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("/reasoning\r");
    await pty.waitFor("Reasoning is shown from now on");
    pty.type("plan it\r");
    await pty.waitFor("Here is the plan.");
    pty.type("/reasoning\r");
    await pty.waitFor("Reasoning is hidden again");
    pty.type("again\r");
    await pty.waitFor("Second answer.");
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain(`thinking… (${thought.length} chars)\n    The person wants a plan. I will list three steps and\n      keep each one short enough to read.\nHere is the plan.`);
    expect(screen).toContain("thinking… (13 chars)\nSecond answer.");
    expect(screen).not.toContain("Hidden again.");
    // Dimmed: the reasoning's text is inside a dim escape.
    expect(pty.raw()).toMatch(/\x1b\[2m {4}The person wants a plan\./);
  });

  it("shows text as it arrives on a colour terminal, then renders it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("A **slow** paragraph that arrives one word at a time and ends here.\n").delay(120)]);
    const pty = await startRepl([], cliOptions(ws, fake));
    pty.type("talk slowly\r");
    await pty.waitFor("paragraph that");
    expect(pty.screen()).not.toContain("ends here");
    await pty.waitFor("ends here.");
    await pty.waitFor(/ends here\.\n[^]*mini-claude> /);
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).toContain("A slow paragraph that arrives one word at a time and ends here.");
    expect(screen).not.toContain("**slow**");
  });

  it("keeps the last line of a plain answer apart from the next prompt (NO_COLOR)", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("line one\nthe final line")]);
    const pty = await startRepl([], cliOptions(ws, fake, { env: { NO_COLOR: "1" } }));
    pty.type("hi\r");
    await pty.waitFor(/the final line\n[^]*mini-claude> /);
    await pty.quit();
    expect((await pty.rendered()).split("\n")).toContain("the final line");
  });

  it("asks before a command with the question on screen; y runs it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Running it.").tool("exec", { command: "touch approved.txt" }), reply().text("Made it.")]);
    // Sandbox off: inside it, a command like this one would run without a question.
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("make a file\r");
    await pty.waitFor("[a]lways: ");
    await new Promise((r) => setTimeout(r, 200));
    const question = (await pty.rendered()).split("\n");
    expect(question.at(-1)).toMatch(/^Run this command\? \[Y\]es \/ \[n\]o \(add a reason\) \/ \[p\] always `touch` \/ \[a\]lways:\s*$/);
    expect(question.slice(-5, -1)).toEqual(["• exec touch approved.txt", "Command:", "  touch approved.txt", "Asking because the sandbox is off, so every command asks."]);
    await new Promise((r) => setTimeout(r, 1200));
    pty.type("y\r");
    await pty.waitFor("Made it.");
    await pty.quit();
    expect(existsSync(join(ws.root, "approved.txt"))).toBe(true);
    // The time shown is the command's, not the person's thinking time.
    expect(await pty.rendered()).toMatch(/└ exit 0 · 0\.\ds/);
  });
});

describe("--print on a terminal", () => {
  it("renders the answer's Markdown when stdout is a colour terminal", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("# Title\n\n- **one**\n- `two`\n")]);
    const pty = startPty(["-p", "hi"], cliOptions(ws, fake));
    expect((await pty.done).code).toBe(0);
    const screen = await pty.rendered();
    expect(screen).toContain("Title");
    expect(screen).toMatch(/\* one\n\s+\* two/);
    expect(screen).not.toContain("**one**");
  });
});

describe("REPL comforts", () => {
  it("completes slash commands with Tab and remembers input across runs", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("noted")]);
    const first = startPty([], cliOptions(ws, fake));
    await first.waitFor("mini-claude> ");
    first.type("remember this line\r");
    await first.waitFor("noted");
    first.type("/us\t");
    await first.waitFor("/usage");
    first.type("\r");
    await first.waitFor("Tokens: 100 in, 20 out.");
    first.type("\x04");
    await first.done;
    expect(readFileSync(join(ws.home, "input-history"), "utf8")).toBe("remember this line\n/usage\n");

    const second = startPty([], cliOptions(ws, fake));
    await second.waitFor("mini-claude> ");
    const mark = second.screen().length;
    second.type("\x1b[A\x1b[A");
    await second.waitFor("remember this line", { from: mark });
    second.type("\x03\x03\x03");
    await second.done;
    expect(fake.requests).toHaveLength(1);
  });

  it("loads AGENTS.md into the system prompt and says so in the banner", async () => {
    const ws = tempWorkspace({ "AGENTS.md": "Always answer in French.\n" });
    const fake = await fakeOpenAI([reply().text("Bonjour")]);
    const pty = startPty([], cliOptions(ws, fake));
    await pty.waitFor("AGENTS.md loaded");
    pty.type("hello\r");
    await pty.waitFor("Bonjour");
    await pty.quit();
    expect(fake.requests[0].messages[0].content).toContain("Project instructions from AGENTS.md:\nAlways answer in French.");
  });

  it("finds a local server when nothing is configured, and says what to do when there is none", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("local hello")], { models: ["qwen2.5-coder:7b"] });
    const port = new URL(fake.url).port;
    const env = { OPENAI_BASE_URL: undefined, OPENAI_API_KEY: undefined, MINI_CLAUDE_MODEL: undefined, MINI_CLAUDE_LOCAL_PORTS: port };
    const found = await runCli(["-p", "hi"], cliOptions(ws, undefined, { env }));
    expect(found).toMatchObject({ code: 0, stdout: "local hello\n" });
    expect(fake.requests[0].model).toBe("qwen2.5-coder:7b");

    const none = await runCli(["-p", "hi"], cliOptions(ws, undefined, { env: { MINI_CLAUDE_LOCAL_PORTS: "1" } }));
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Set OPENAI_API_KEY .* No local server answered either \(tried ports 1 from MINI_CLAUDE_LOCAL_PORTS\)\.\n$/);
  });
});
