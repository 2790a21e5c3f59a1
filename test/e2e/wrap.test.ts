import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI } from "../support/fake-openai.js";
import { startRepl } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** Rows from the one starting with `start` up to the next row not indented deeper (its continuation rows). */
function item(rows: { text: string; wrapped: boolean }[], start: (text: string) => boolean): { text: string; wrapped: boolean }[] {
  const first = rows.findIndex((row) => start(row.text));
  expect(first).toBeGreaterThan(-1);
  const indent = /^ */.exec(rows[first]!.text)![0].length;
  let end = first + 1;
  while (end < rows.length && rows[end]!.text.startsWith(" ".repeat(indent + 2)) && !rows[end]!.text.trim().startsWith("└")) end++;
  return rows.slice(first, end);
}

describe.each([60, 120])("one wrap rule at %i columns", (columns) => {
  it("the banner and a tool's └ error line wrap at spaces with a hanging indent, never by the terminal", async () => {
    const ws = tempWorkspace();
    const path = "reports/quarterly/summaries/of/the/north/eastern/region/for/two-thousand-and-twenty-six/with/every/appendix/and/table.md";
    const fake = await fakeOpenAI([reply().tool("read_file", { path }), reply().text("It is not there.")]);
    const pty = await startRepl(["--sandbox=off"], { ...cliOptions(ws, fake), columns });
    pty.type("read the report\r");
    await pty.waitFor("It is not there.");
    await pty.quit();
    const rows = await pty.rows();
    // The terminal never had to wrap a row of ours in the middle of a word.
    expect(rows.filter((row) => row.wrapped)).toEqual([]);
    for (const row of rows) expect(row.text.length).toBeLessThan(columns);

    const banner = item(rows, (text) => text.startsWith("mini-claude 0.1.0 · "));
    expect(banner.length).toBeGreaterThan(1);
    expect(banner.slice(1).every((row) => row.text.startsWith("  ") && row.text[2] !== " ")).toBe(true);
    const bannerText = banner.map((row) => row.text.trim()).join(" ");
    expect(bannerText).toMatch(/^mini-claude 0\.1\.0 · fake-model · 127\.0\.0\.1:\d+ · \S+\/workspace · window 32k from default \(32k assumed\)$/);
    // Broken only at spaces: every row ends with a whole word of the line.
    expect(bannerText.split(" ")).toEqual(banner.flatMap((row) => row.text.trim().split(" ")));

    const outcome = item(rows, (text) => text.startsWith("  └ Error:"));
    expect(outcome.length).toBeGreaterThan(1);
    expect(outcome.slice(1).every((row) => /^ {4}\S/.test(row.text))).toBe(true);
    const outcomeText = outcome.map((row) => row.text.trim()).join(" ");
    // The path is one word wider than a row, so it alone is cut; the rest breaks at spaces.
    expect(outcomeText.replace(/\s+/g, "")).toContain(`${path}doesnotexist`);
    expect(outcomeText).toMatch(/\.md does not exist\./);
  });
});
