import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { DEV_SERVER_FILES } from "../support/processes.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** The rows of the screen as a person sees them, without the empty ones at the bottom. */
async function seen(pty: { rows(): Promise<{ text: string }[]> }): Promise<string[]> {
  const rows = (await pty.rows()).map((row) => row.text.trimEnd());
  while (rows.length && !rows.at(-1)) rows.pop();
  return rows;
}

/** Waits until the screen's last rows are `last` (the footer is drawn a moment after the prompt). */
async function lastRows(pty: { rows(): Promise<{ text: string }[]> }, test: (rows: string[]) => boolean): Promise<string[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const rows = await seen(pty);
    if (test(rows) || Date.now() > until) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each([60, 120])("the status line under the prompt at %i columns", (columns) => {
  it("shows model, context, mode and jobs under the input, only while the cursor is at its end; /statusline turns it off", async () => {
    const ws = tempWorkspace(DEV_SERVER_FILES);
    const fake = await fakeOpenAI([reply().tool("exec", { command: "npm run dev" }), reply().text("The server runs.")]);
    const pty = await startRepl(["--yes", "--sandbox=off"], { ...cliOptions(ws, fake, { env: { MINI_CLAUDE_STATUS_LINE: "1" } }), columns });
    const status = /^fake-model · context \d+ \/ 32k \(\d+%\)/;
    let rows = await lastRows(pty, (r) => status.test(r.at(-1)!));
    expect(rows.at(-2)).toBe("mini-claude>");
    expect(rows.at(-1)).toMatch(status);

    // A request long enough to wrap: the status stays under its last row, and every word is still there.
    const long = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    pty.type(long);
    rows = await lastRows(pty, (r) => r.join(" ").includes("w29") && status.test(r.at(-1)!));
    expect(rows.at(-1)).toMatch(status);
    // (The terminal wraps typed text anywhere, so it is compared without spaces.)
    const flat = (text: string) => text.replace(/\s+/g, "");
    expect(flat(rows.slice(0, -1).join(""))).toContain(flat(`mini-claude> ${long}`));
    // The cursor moved back into the text: the row below it may be the request's, so the status is not drawn.
    pty.type("\x1b[D");
    rows = await lastRows(pty, (r) => !status.test(r.at(-1)!));
    expect(rows.at(-1)).not.toMatch(status);
    expect(flat(rows.join(""))).toContain(flat(long));
    // Ctrl-E to the end: back.
    pty.type("\x05");
    rows = await lastRows(pty, (r) => status.test(r.at(-1)!));
    expect(rows.at(-1)).toMatch(status);

    // While the request runs it is gone; after it, the job is counted.
    pty.type("\x15start the dev server\r");
    await pty.waitFor("The server runs.");
    rows = await lastRows(pty, (r) => /· 1 job$/.test(r.at(-1)!));
    expect(rows.at(-1)).toMatch(/^fake-model · context .* · 1 job$/);
    expect(rows.at(-2)).toBe("mini-claude>");

    // Shift+Tab names the mode it switched to.
    pty.type("\x1b[Z");
    rows = await lastRows(pty, (r) => r.at(-1)!.includes("accept edits"));
    expect(rows.at(-1)).toMatch(/· accept edits · 1 job$/);

    pty.type("/statusline\r");
    await pty.waitFor("Status line off.");
    rows = await lastRows(pty, (r) => r.at(-1) === "mini-claude (accept edits)>");
    expect(rows.at(-1)).toBe("mini-claude (accept edits)>");
    await pty.quit();
  });
});
