import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty, startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** The last user message of request `n` to the fake server. */
const userText = (body: any) => body.messages.filter((m: any) => m.role === "user").at(-1).content as string;

describe.each([60, 120])("input at %i columns", (columns) => {
  it("a bracketed multi-line paste is one request, shown compactly and sent whole", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Got all three lines.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("\x1b[200~first line\r\nsecond line\r\nthird line\x1b[201~");
    await pty.waitFor("[pasted 3 lines]");
    pty.type(" please\r");
    await pty.waitFor("Got all three lines.");
    await pty.quit();
    expect(fake.requests).toHaveLength(1);
    expect(userText(fake.requests[0])).toBe("first line\nsecond line\nthird line please");
    expect(await pty.rendered()).toContain("mini-claude> [pasted 3 lines] please");
  });

  it("backslash-Enter and Alt+Enter continue the request instead of sending it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Three lines received.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("one\\\r");
    await pty.waitFor("… ");
    pty.type("two\x1b\r");
    pty.type("three\r");
    await pty.waitFor("Three lines received.");
    await pty.quit();
    expect(fake.requests).toHaveLength(1);
    expect(userText(fake.requests[0])).toBe("one\ntwo\nthree");
  });

  it("text typed during a turn never answers an approval; it is shown queued and sent after the turn", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().text("Let me check the files before I change anything.").tool("exec", { command: "touch approved.txt" }).delay(150),
      reply().text("Made it."),
      reply().text("Follow-up answered."),
    ]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("make the file\r");
    await pty.waitFor("Let me");
    pty.type("and then list it\r");
    await pty.waitFor("› queued (runs after this turn): and then list it");
    const at = pty.screen().length;
    await pty.waitFor("[a]lways", { from: at });
    pty.type("y\r");
    await pty.waitFor("Follow-up answered.");
    await pty.quit();
    expect(existsSync(join(ws.root, "approved.txt"))).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(userText(fake.requests[2])).toBe("and then list it");
    const screen = await pty.rendered();
    expect(screen).toContain("↳ running what you typed during the turn (1 queued)");
    expect(screen).toContain("Let me check the files before I change anything.");
    expect(screen).not.toMatch(/Let me.*and then list it/);
  });

  it("Shift+Enter in the kitty and xterm encodings starts a new line instead of sending", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Three lines received.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("one\x1b[13;2u");
    await pty.waitFor("… ");
    pty.type("two\x1b[27;2;13~three\r");
    await pty.waitFor("Three lines received.");
    await pty.quit();
    expect(fake.requests).toHaveLength(1);
    expect(userText(fake.requests[0])).toBe("one\ntwo\nthree");
    expect(pty.screen()).not.toMatch(/13;2u|27;2;13~/);
    // The REPL asked for modifyOtherKeys (so xterm and tmux report Shift+Enter) and gave it back on exit.
    const raw = pty.raw();
    expect(raw.indexOf("\x1b[>4;1m")).toBeGreaterThan(-1);
    expect(raw.lastIndexOf("\x1b[>4m")).toBeGreaterThan(raw.lastIndexOf("\x1b[>4;1m"));
  });

  it("lines typed during a turn run one by one after it: a /command as a command, text as its own request", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().text("one two three four five six seven eight").delay(300),
      reply().text("Answered again."),
    ]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("first\r");
    await pty.waitFor("one");
    pty.type("/bg\r");
    pty.type("again\r");
    await pty.waitFor("› queued: again");
    await pty.waitFor("Answered again.");
    await pty.waitFor(/Answered again\.[^]*mini-claude> $/);
    // ↑ recalls them like requests typed at the prompt.
    const at = pty.screen().length;
    pty.type("\x1b[A");
    await pty.waitFor("again", { from: at });
    pty.type("\x1b[A");
    await pty.waitFor("/bg", { from: at });
    pty.type("\x15\x04");
    await pty.done;
    expect(fake.requests.map(userText)).toEqual(["first", "again"]);
    const screen = await pty.rendered();
    expect(screen).not.toContain("Unknown");
    const order = ["seven eight", "mini-claude> /bg", "No background jobs.", "mini-claude> again", "Answered again."].map((text) => screen.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("Esc interrupts a turn, and Ctrl-C drops what was typed during it, saying so", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().text("one two three four five six seven eight nine ten eleven twelve").delay(300),
      reply().text("one two three four five six seven eight nine ten eleven twelve").delay(300),
      reply().text("After."),
    ]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("first\r");
    await pty.waitFor("two");
    pty.type("\x1b");
    await pty.waitFor(/Interrupted[^]*mini-claude> $/);
    const at = pty.screen().length;
    pty.type("second\r");
    await pty.waitFor("two", { from: at });
    pty.type("never sent\r");
    await pty.waitFor("never sent");
    pty.type("\x03");
    await pty.waitFor(/dropped what you typed during the turn[^]*mini-claude> $/);
    pty.type("third\r");
    await pty.waitFor("After.");
    await pty.quit();
    expect(fake.requests.map((body) => userText(body).split("\n").at(-1))).toEqual(["first", "second", "third"]);
    expect(pty.screen()).not.toContain("eleven twelve");
  });

  it('`mini-claude "request"` opens the REPL and sends it first', async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text("Fixed the bug.")]);
    const pty = startPty(["--sandbox=off", "fix the bug"], { ...cliOptions(ws, fake), columns });
    await pty.waitFor("Fixed the bug.");
    await pty.waitFor("mini-claude> ", { from: pty.screen().indexOf("Fixed the bug.") });
    pty.type("\x04");
    expect((await pty.done).code).toBe(0);
    expect(userText(fake.requests[0])).toBe("fix the bug");
    expect(await pty.rendered()).toContain("mini-claude> fix the bug");
  });
});

describe.each([60, 120])("approvals at %i columns", (columns) => {
  it("yes runs once; p allows the command's prefix; a dangerous shape asks even under it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().tool("exec", { command: "echo first > one.txt" }),
      reply().tool("exec", { command: "npm --version" }),
      reply().tool("exec", { command: "npm --version --json" }),
      reply().tool("exec", { command: "touch two.txt && rm -rf two.txt" }),
      reply().text("All done."),
    ]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("go\r");
    await pty.waitFor("[a]lways: ");
    pty.type("yes\r");
    let at = pty.screen().length;
    await pty.waitFor(/\[p\]\s+always\s+`npm`/, { from: at });
    pty.type("p\r");
    await pty.waitFor("Allowed `npm` for this session");
    at = pty.screen().length;
    await pty.waitFor("deletes recursively", { from: at });
    await pty.waitFor("[a]lways: ", { from: at });
    const asked = pty.screen().slice(at);
    pty.type("n not that\r");
    await pty.waitFor("All done.");
    pty.type("/approvals\r");
    await pty.waitFor("`npm` and what follows it");
    await pty.quit();
    expect(existsSync(join(ws.root, "one.txt"))).toBe(true);
    // The second npm call ran without a question; the dangerous one asked.
    expect(asked).not.toContain("Command:\n  npm --version --json");
    expect(asked).toContain("Command:\n  touch two.txt && rm -rf two.txt");
    const tools = (body: any) => body.messages.filter((m: any) => m.role === "tool").map((m: any) => m.content as string);
    expect(tools(fake.requests[4]).at(-1)).toContain("not that");
    expect(existsSync(join(ws.root, "two.txt"))).toBe(false);
  });
});
