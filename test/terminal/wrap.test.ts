import { describe, expect, it } from "vitest";
import { loadDisplayWidth } from "../../src/terminal/render/display-width.js";
import { wrapText } from "../../src/terminal/render/wrap.js";

describe("the one wrap rule", () => {
  it("breaks at spaces with a hanging indent two deeper than the line's own", () => {
    const line = "  └ Error: edit_file: old_string was not found in src/app.ts; read the file again and copy the lines exactly";
    const rows = wrapText(line, 40).split("\n");
    expect(rows).toEqual([
      "  └ Error: edit_file: old_string was",
      "    not found in src/app.ts; read the",
      "    file again and copy the lines",
      "    exactly",
    ]);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(39);
    // Nothing lost, nothing split inside a word.
    expect(rows.map((row) => row.trim()).join(" ")).toBe(line.trim());
  });

  it("cuts only a word wider than a row, and measures wide characters by their columns", async () => {
    await loadDisplayWidth();
    const rows = wrapText(`see ${"x".repeat(30)} and 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字`, 20).split("\n");
    expect(rows).toEqual(["see", "  xxxxxxxxxxxxxxxxx", "  xxxxxxxxxxxxx and", "  漢字漢字漢字漢字", "  漢字漢字漢字漢字", "  漢字漢字"]);
  });

  it("keeps short lines and line breaks as they are, and leaves text alone where there is no width (a pipe)", () => {
    expect(wrapText("one\n  two", 60)).toBe("one\n  two");
    const long = "word ".repeat(40).trim();
    expect(wrapText(long, undefined)).toBe(long);
    expect(wrapText(long, 60).split("\n").every((row) => row.length <= 59)).toBe(true);
  });

  it("hangs a two-column list's row (/help's commands and keys) under its second column", () => {
    const rows = wrapText("  /clear     start a new conversation and clear the screen (background jobs keep running)", 40).split("\n");
    expect(rows).toEqual(["  /clear     start a new conversation", "             and clear the screen", "             (background jobs keep", "             running)"]);
    const key = wrapText("  Up/Down, Tab          earlier requests; complete a /command or an @path", 50).split("\n");
    expect(key).toEqual(["  Up/Down, Tab          earlier requests;", "                        complete a /command or an", "                        @path"]);
  });
});
