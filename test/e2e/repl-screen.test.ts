import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startPty } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

const userText = (body: any) => body.messages.filter((m: any) => m.role === "user").at(-1).content as string;

describe.each([60, 120])("what appears by itself at the idle prompt, at %i columns", (columns) => {
  it("a background job that exits on its own is shown at once, above the prompt, with the half-typed line intact", async () => {
    const ws = tempWorkspace();
    const job = "echo server ready; sleep 1.5; exit 1";
    const fake = await fakeOpenAI([reply().tool("exec", { command: job, background: true }), reply().text("Started it."), reply().text("It stopped.")]);
    const pty = startPty(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake), columns });
    await pty.waitFor("mini-claude> ");
    pty.type("start the server\r");
    await pty.waitFor(/Started it\.[^]*mini-claude> $/);
    // Long enough to wrap at 60 columns, so the redraw has to find the prompt's first row.
    const typed = "check why it stopped and what the log said just before that";
    pty.type(typed);
    await pty.waitFor(typed);
    await pty.waitFor(`job 1 exited (code 1): ${job}`, { timeoutMs: 8000 });
    const screen = await pty.rendered();
    const lines = screen.split("\n");
    const notice = lines.findIndex((line) => line.startsWith("job 1 exited (code 1)"));
    // The notice sits right above the prompt, and the prompt still holds what was typed, once.
    expect(lines.slice(notice + 1).join("").replace(/\s+$/, "")).toBe(`mini-claude> ${typed}`);
    expect(lines.slice(0, notice).join("\n")).not.toContain("check why");
    pty.type(" please\r");
    await pty.waitFor("It stopped.");
    pty.type("\x04");
    await pty.done;
    expect(fake.requests).toHaveLength(3);
    // The model still hears of it, with the request exactly as typed after it.
    expect(userText(fake.requests[2])).toMatch(/^job 1 `echo server ready; sleep 1\.5; exit 1` exited with code 1/);
    expect(userText(fake.requests[2]).endsWith(`${typed} please`)).toBe(true);
  });
});
