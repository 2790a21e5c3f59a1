import { beforeAll, describe, expect, it } from "vitest";
import { loadDisplayWidth, loadTextMeasure, type TextMeasure } from "../../src/terminal/render/display-width.js";
import { renderMarkdown } from "../../src/terminal/render/markdown.js";
import { fitLine } from "../../src/terminal/render/tool-lines.js";
import { stripAnsi } from "../support/pty.js";

let measure: TextMeasure;
beforeAll(async () => {
  measure = await loadTextMeasure();
});

const render = async (markdown: string, width: number) => stripAnsi(await renderMarkdown(markdown, { color: true, width })).replace(/\n$/, "").split("\n");

describe("Markdown fitted to the terminal's width", () => {
  it("wraps list items at word boundaries, continuation lines under the item's text, nested ones inside", async () => {
    const lines = await render(
      [
        "- a first item long enough that it has to wrap at forty columns",
        "  - a nested item that wraps as well because it is long",
        "9. ninth item with enough words to wrap onto a second line",
        "10. tenth item with enough words to wrap onto a second line",
      ].join("\n"),
      40,
    );
    expect(lines).toEqual([
      "  * a first item long enough that it has",
      "    to wrap at forty columns",
      "    * a nested item that wraps as well",
      "      because it is long",
      "",
      "  9. ninth item with enough words to",
      "     wrap onto a second line",
      "  10. tenth item with enough words to",
      "      wrap onto a second line",
    ]);
  });

  it("measures list text by display width: wide characters two columns, combining marks none", async () => {
    const cjk = "漢字".repeat(30);
    const accents = Array.from({ length: 12 }, () => "e\u0301te\u0301").join(" ");
    const emoji = Array.from({ length: 12 }, () => "🎉ok").join(" ");
    for (const item of [cjk, accents, emoji]) {
      const lines = await render(`- ${item}\n`, 30);
      expect(Math.max(...lines.map((line) => measure.width(line)))).toBeLessThanOrEqual(30);
      expect(lines.length).toBeGreaterThan(1);
      for (const line of lines.slice(1)) expect(line).toMatch(/^ {4}\S/);
      // wrap-ansi composes e + U+0301 into é (NFC): the same text, as the person sees it.
      expect(lines.join("").replace(/[ *]/g, "")).toBe(item.replace(/ /g, "").normalize());
    }
  });

  it("keeps an ordered list's start number, and a task's checkbox once", async () => {
    expect(await render("3. three\n4. four\n\n- [x] done\n- [ ] open\n", 40)).toEqual(["  3. three", "  4. four", "", "  * [X] done", "  * [ ] open"]);
  });

  it("wraps paragraphs, headings and quotes by display width, hard breaks kept", async () => {
    const lines = await render(`# ${"見出し".repeat(8)}\n\n${"語".repeat(50)}\nsoft\n\n> quoted words ${"again ".repeat(10)}\n\nhard  \nbreak\n`, 30);
    expect(Math.max(...lines.map((line) => measure.width(line)))).toBeLessThanOrEqual(30);
    expect(lines).toContain("hard");
    expect(lines).toContain("break");
    expect(lines.filter((line) => line.startsWith("  again") || line.startsWith("  quoted")).length).toBeGreaterThan(1);
  });

  it("fits a wide table to the width, and falls back to records when it cannot", async () => {
    const table = "| file | what changed | why |\n| --- | --- | --- |\n| src/app.ts | the greeting, now friendlier for every user | asked for |\n";
    const grid = await render(table, 40);
    expect(grid[0]).toMatch(/^┌/);
    expect(Math.max(...grid.map((line) => measure.width(line)))).toBeLessThanOrEqual(40);
    const wide = `| ${"abcdefghij | ".repeat(6)}\n|${" --- |".repeat(6)}\n| ${"x | ".repeat(6)}\n`;
    expect(await render(wide, 40)).toEqual(Array.from({ length: 6 }, () => "abcdefghij: x"));
  });
});

describe("fitLine", () => {
  it("cuts by display width, never inside a character, and ends with …", async () => {
    await loadDisplayWidth();
    const width = (line: string) => measure.width(line);
    expect(fitLine("exec npm test", 40, 2)).toBe("exec npm test");
    const cjk = fitLine(`read_file ${"漢字".repeat(30)}.ts`, 40, 2);
    expect(cjk.endsWith("…")).toBe(true);
    expect(width(cjk)).toBeLessThanOrEqual(37);
    expect(width(cjk)).toBeGreaterThanOrEqual(35);
    const family = fitLine(`grep ${"👨‍👩‍👧 ".repeat(20)}`, 30, 2);
    expect(family).toMatch(/^grep (👨‍👩‍👧 )+👨‍👩‍👧? ?…$/u);
    expect(width(family)).toBeLessThanOrEqual(27);
    const accents = fitLine(`edit ${"e\u0301".repeat(60)}`, 30, 2);
    expect(accents).toBe(`edit ${"e\u0301".repeat(21)}…`);
  });
});

describe("what the model wrote cannot drive the terminal", () => {
  it("strips escape sequences from inline code, table cells and list items", async () => {
    const text = "`a\x1b]0;title\x07b`\n\n| h |\n| - |\n| `c\x1b[2Jd` |\n\n- `e\x1b[1Af`\n";
    const rendered = await renderMarkdown(text, { color: true, width: 40 });
    expect(rendered).not.toMatch(/\x1b\]|\x1b\[2J|\x1b\[1A/);
    expect(stripAnsi(rendered)).toMatch(/ab[^]*cd[^]*ef/);
  });
});
