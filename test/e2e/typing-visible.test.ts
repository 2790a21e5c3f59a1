import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** One paragraph of 60 numbered words, many rows long at either width. */
const PARAGRAPH = Array.from({ length: 60 }, (_, i) => `word${String(i + 1).padStart(2, "0")}`).join(" ");

describe.each([60, 120])("what is typed during a turn stays in sight at %i columns", (columns) => {
  it("typed and Enter'd text shows under a long paragraph while it is still streaming", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text(PARAGRAPH).delay(60), reply().text("Second answer.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("go\r");
    // Past the first row at either width: the cursor is on a wrapped line of the paragraph.
    await pty.waitFor("word22");
    pty.type("next thing\r");
    await pty.waitFor("› queued (runs after this turn): next thing");
    pty.type("half");
    await pty.waitFor("› typing: half");
    // Seen while the paragraph streams, not at its end.
    expect(pty.screen()).not.toContain("word60");
    // The footer is erased and drawn again around every write: look until a settled screen shows it
    // (a loaded machine may catch it between the two), while the paragraph still streams.
    let layout: { below: string; above: string } | undefined;
    while (!layout?.below.includes("› typing: half") && !pty.screen().includes("word60")) {
      const rows = await pty.rows();
      const queuedRow = rows.findIndex((row) => row.text.includes("› queued (runs after this turn): next thing"));
      if (queuedRow > 0) layout = { below: rows[queuedRow + 1]?.text ?? "", above: rows[queuedRow - 1]!.text };
    }
    expect(layout?.below).toContain("› typing: half");
    // Right under the streaming text: the row above it is the paragraph.
    expect(layout?.above).toMatch(/word\d\d/);
    await pty.waitFor("Second answer.");
    pty.type("\x15");
    await pty.quit();
    expect(fake.requests[1].messages.at(-1).content).toBe("next thing");
    // The footer was erased as the text grew: no stray copy of it is left inside the answer.
    const screen = await pty.rendered();
    expect(screen.split("\n").filter((line) => line.includes("› queued"))).toEqual([]);
    expect(screen).toContain("word60");
  });

  it("the queue stays in sight above an approval question, and the answer is not taken from it", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([
      reply().text(PARAGRAPH).tool("exec", { command: "touch made.txt" }).delay(30),
      reply().text("Made it."),
      reply().text("Follow-up answered."),
    ]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("make it\r");
    await pty.waitFor("word10");
    pty.type("then list it\r");
    await pty.waitFor("[a]lways");
    const rows = (await pty.rows()).map((row) => row.text);
    const lastRow = (text: string) => rows.map((row, i) => (row.includes(text) ? i : -1)).reduce((a, b) => Math.max(a, b));
    const question = lastRow("[a]lways");
    const queued = lastRow("› queued (runs after this turn): then list it");
    expect(queued).toBeGreaterThan(-1);
    expect(queued).toBeLessThan(question);
    expect(rows.slice(0, queued).join("\n")).toContain("touch made.txt");
    pty.type("y\r");
    await pty.waitFor("Follow-up answered.");
    await pty.quit();
    expect(fake.requests[2].messages.at(-1).content).toBe("then list it");
  });
});

describe.each([60, 120])("Esc and Ctrl-C at a question at %i columns", (columns) => {
  it("Esc at a question answers no: nothing runs, the model hears a refusal without a reason", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Understood, not running it.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("make it\r");
    await pty.waitFor("[a]lways: ");
    pty.type("zq");
    await pty.waitFor("[a]lways: zq");
    pty.type("\x1b");
    await pty.waitFor("Understood, not running it.");
    await pty.quit();
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    const tool = fake.requests[1].messages.find((m: any) => m.role === "tool").content as string;
    expect(tool).toMatch(/denied/i);
    expect(tool).not.toContain("zq");
    expect((await pty.rows()).map((row) => row.text)).toContainEqual(expect.stringMatching(/\[a\]lways: no$/));
  });

  it("Ctrl-C at a question ends the turn on a line of its own, nothing cut", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().tool("exec", { command: "touch made.txt" }), reply().text("Next answer.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("make it\r");
    await pty.waitFor("[a]lways: ");
    pty.type("\x03");
    await pty.waitFor(/Interrupted[^]*mini-claude> $/);
    pty.type("again\r");
    await pty.waitFor("Next answer.");
    await pty.quit();
    expect(existsSync(join(ws.root, "made.txt"))).toBe(false);
    const rows = await pty.rows();
    const question = rows.findIndex((row) => row.text.includes("[a]lways:"));
    // The question's row ends with the question; what the interrupt says is on the rows below, whole.
    expect(rows[question]!.text).toMatch(/\[a\]lways: ?$/);
    const after = rows.slice(question + 1, question + 4).map((row) => row.text).join("\n");
    expect(after).toMatch(/└ interrupted/);
    // Wrapped at a space, if at all: the sentence is whole once the rows are joined.
    expect(after.replace(/\s+/g, " ")).toContain("Interrupted. The conversation is kept; type your next request.");
    expect(rows.slice(question + 1, question + 4).filter((row) => row.wrapped)).toEqual([]);
  });

  it("Esc during a turn puts what was queued back in the prompt, to edit instead of run", async () => {
    const ws = tempWorkspace();
    const fake = await fakeOpenAI([reply().text(PARAGRAPH).delay(60), reply().text("Sent edited.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("go\r");
    await pty.waitFor("word05");
    pty.type("first entry\r");
    await pty.waitFor("› queued (runs after this turn): first entry");
    pty.type("\x1b");
    await pty.waitFor(/Interrupted[^]*mini-claude> first entry$/);
    // Nothing ran by itself; the line is there to edit and send.
    expect(fake.requests).toHaveLength(1);
    pty.type(" and more\r");
    await pty.waitFor("Sent edited.");
    await pty.quit();
    expect(fake.requests[1].messages.at(-1).content).toMatch(/\nfirst entry and more$/);
    expect(pty.screen()).not.toContain("dropped what you typed");
  });
});
