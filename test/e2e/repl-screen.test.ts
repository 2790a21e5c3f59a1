import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const userText = (body: any) => body.messages.filter((m: any) => m.role === "user").at(-1).content as string;

describe.each([60, 120])("what appears by itself at the idle prompt, at %i columns", (columns) => {
  it("a background job that exits on its own is shown at once, above the prompt, with the half-typed line intact", async () => {
    const ws = tempWorkspace();
    const job = "echo server ready; sleep 1.5; exit 1";
    const fake = await fakeOpenAI([reply().tool("exec", { command: job, background: true }), reply().text("Started it."), reply().text("It stopped.")]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("start the server\r");
    await pty.waitFor(/Started it\.[^]*mini-claude> $/);
    // Long enough to wrap at 60 columns, so the redraw has to find the prompt's first row.
    const typed = "check why it stopped and what the log said just before that";
    pty.type(typed);
    await pty.waitFor(typed);
    const ended = `background job 1 \`${job}\` exited with code 1`;
    await pty.waitFor("exited with code 1", { timeoutMs: 8000 });
    const screen = await pty.rendered();
    const lines = screen.split("\n");
    const notice = lines.findIndex((line) => line.startsWith("background job 1 "));
    // The notice (two rows at 60 columns, wrapped at a space under a hanging indent) sits right
    // above the prompt, and the prompt still holds what was typed, once.
    const rows = lines.findIndex((line, i) => i > notice && line.startsWith("mini-claude> ")) - notice;
    expect(rows).toBe(columns === 60 ? 2 : 1);
    expect(lines.slice(notice + 1, notice + rows).every((row) => row.startsWith("  "))).toBe(true);
    expect(lines.slice(notice, notice + rows).map((row) => row.trim()).join(" ")).toBe(ended);
    expect(lines.slice(notice + rows).join("").replace(/\s+$/, "")).toBe(`mini-claude> ${typed}`);
    expect(lines.slice(0, notice).join("\n")).not.toContain("check why");
    pty.type(" please\r");
    await pty.waitFor("It stopped.");
    await pty.quit();
    expect(fake.requests).toHaveLength(3);
    // The model still hears of it, with the request exactly as typed after it.
    expect(userText(fake.requests[2])).toMatch(/^background job 1 `echo server ready; sleep 1\.5; exit 1` exited with code 1/);
    expect(userText(fake.requests[2]).endsWith(`${typed} please`)).toBe(true);
  });

  it("a job that ends during a turn with no tool call left is shown when the turn ends, once", async () => {
    const ws = tempWorkspace();
    // The job ends well inside the second turn, which has no tool call to carry the news.
    const job = "echo server ready; sleep 1.2; exit 2";
    const fake = await fakeOpenAI([reply().tool("exec", { command: job, background: true }), reply().text("Started it."), reply().text("A slow answer, streamed word by word.").delay(400)]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("start the server\r");
    await pty.waitFor(/Started it\.[^]*mini-claude> $/);
    pty.type("think slowly\r");
    await pty.waitFor(/word by word\.[^]*mini-claude> $/);
    await pty.quit();
    const lines = (await pty.rendered()).split("\n");
    const ended = `background job 1 \`${job}\` exited with code 2`;
    const notice = lines.findIndex((line) => line.startsWith("background job 1 "));
    const rows = lines.findIndex((line, i) => i > notice && line.startsWith("mini-claude> ")) - notice;
    expect(rows).toBe(columns === 60 ? 2 : 1);
    expect(lines[notice - 1]).toMatch(/word by word\.\s*$/);
    expect(lines.slice(notice, notice + rows).map((row) => row.trim()).join(" ")).toBe(ended);
    expect(lines[notice + rows]).toMatch(/^mini-claude> /);
    expect(lines.filter((line) => line.startsWith("background job 1 "))).toHaveLength(1);
  });
});

describe.each([60, 120])("/diff at %i columns", (columns) => {
  it("a diff longer than the screen goes through $PAGER; Ctrl-C there is the pager's, and the prompt works after", async () => {
    const before = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`).join("\n");
    const after = Array.from({ length: 60 }, (_, i) => `row ${i + 1} changed`).join("\n");
    const ws = tempWorkspace({ "notes.txt": `${before}\n` });
    // The pager records what it received and its LESS, then sends Ctrl-C's signal to its process group, as a key in less would.
    const received = join(ws.outside, "received.txt");
    const pager = ws.write("../outside/pager.sh", `#!/bin/sh\ncat > "${received}"\necho "LESS=$LESS" >> "${received}"\necho "pager saw $(grep -c changed "${received}") changed lines"\nkill -INT 0\n`);
    chmodSync(pager, 0o755);
    const fake = await fakeOpenAI([reply().tool("write_file", { path: "notes.txt", content: `${after}\n` }), reply().text("Rewrote it."), reply().text("Still here.")]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns, env: { PAGER: pager } });
    pty.type("/diff\r");
    await pty.waitFor("No file changes");
    expect(existsSync(received)).toBe(false);
    pty.type("rewrite notes\r");
    await pty.waitFor(/Rewrote it\.[^]*mini-claude> $/);
    pty.type("/diff\r");
    await pty.waitFor("pager saw 60 changed lines");
    await pty.waitFor(/changed lines[^]*mini-claude> $/);
    // Raw mode is back: Enter sends (in cooked mode it would arrive as a new line and not send).
    pty.type("are you there?\r");
    await pty.waitFor("Still here.");
    pty.type("\x04");
    expect((await pty.done).code).toBe(0);
    const paged = readFileSync(received, "utf8");
    expect(paged).toContain("+row 60 changed");
    expect(paged).toContain("-line 1");
    expect(paged).toContain("LESS=FRX");
    const screen = pty.screen();
    expect(screen).not.toContain("press Ctrl-C again");
    // The diff went to the pager, not to the screen.
    expect(screen).not.toContain("row 60 changed");
    // Bracketed paste is on again after the pager.
    // The pager got the keyboard as the shell has it; the REPL's modes (bracketed paste, modified keys) came back after.
    const raw = pty.raw();
    expect(raw.slice(0, raw.indexOf("pager saw"))).toMatch(/\x1b\[\?2004l\x1b\[>4m$/);
    expect(raw.slice(raw.indexOf("pager saw"))).toContain("\x1b[?2004h\x1b[>4;1m");
    expect(fake.requests).toHaveLength(3);
  });
});

describe("the keyboard the shell gets back", () => {
  it("Ctrl-D at the prompt turns bracketed paste and modifyOtherKeys off as the REPL leaves", async () => {
    const ws = tempWorkspace();
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws), env: { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" } });
    expect(pty.raw()).toContain("\x1b[?2004h\x1b[>4;1m");
    pty.type("\x04");
    expect((await pty.done).code).toBe(0);
    expect(pty.raw()).toMatch(/\x1b\[\?2004l\x1b\[>4m\s*$/);
    // Nothing was asked, so there is nothing to resume.
    expect(pty.screen()).not.toContain("resume with");
  });

  it("leaving after a request says how to come back: resume with: mini-claude -c", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Noted.")]);
    const pty = await startRepl(["--sandbox=off"], cliOptions(ws, fake));
    pty.type("remember the milk\r");
    await pty.waitFor(/Noted\.[^]*mini-claude> $/);
    expect((await pty.quit()).code).toBe(0);
    expect((await pty.rendered()).trimEnd().split("\n").at(-1)).toBe("resume with: mini-claude -c");
  });
});

describe("/clear on a terminal", () => {
  it("clears the screen and its scrollback, and says what it cleared", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("The earlier answer.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 120 });
    pty.type("first request\r");
    await pty.waitFor(/The earlier answer\.[^]*mini-claude> $/);
    pty.type("/clear\r");
    await pty.waitFor(/and the screen; background jobs keep running\.[^]*mini-claude> $/);
    await pty.quit();
    const screen = await pty.rendered();
    expect(screen).not.toContain("The earlier answer.");
    expect(screen).not.toContain("first request");
    expect(screen.trim()).toBe("Cleared the conversation (1 request) and the screen; background jobs keep running.\nmini-claude>");
  });
});
