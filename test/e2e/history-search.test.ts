import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();
const pause = () => new Promise((r) => setTimeout(r, 150));

describe.each([60, 120])("Ctrl-R at the prompt, at %i columns", (columns) => {
  it("searches earlier requests: typing narrows, Ctrl-R goes older, Esc puts the line back, Enter sends the match", async () => {
    const ws = tempWorkspace();
    writeFileSync(join(ws.home, "input-history"), "fix the login bug\nrun the tests\nexplain the parser\n");
    const fake = await fakeOpenAI([reply().text("Fixed.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns });
    pty.type("my draft");
    await pty.waitFor("mini-claude> my draft");
    pty.type("\x12t");
    await pty.waitFor("(reverse-i-search)'t': explain the parser");
    pty.type("\x12");
    await pty.waitFor("(reverse-i-search)'t': run the tests");
    pty.type("zz");
    await pty.waitFor("(failing reverse-i-search)'tzz': run the tests");
    // Esc leaves the search with the line as it was; the request was not sent.
    const before = pty.screen().length;
    pty.type("\x1b");
    await pty.waitFor("mini-claude> my draft", { from: before });
    await pause();
    expect((await pty.rendered()).split("\n").at(-1)).toBe("mini-claude> my draft");
    pty.type("\x15\x12login");
    await pty.waitFor("(reverse-i-search)'login': fix the login bug");
    pty.type("\r");
    await pty.waitFor("Fixed.");
    await pty.quit();
    expect(fake.requests[0].messages.at(-1).content).toBe("fix the login bug");
    expect(fake.requests).toHaveLength(1);
  });
});
