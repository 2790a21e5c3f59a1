import { describe, expect, it } from "vitest";
import { GrowingRows } from "../../src/terminal/render/growing-rows.js";
import { rowsAboveCursor } from "../../src/terminal/render/live-markdown.js";

const width = (line: string) => [...line].reduce((sum, char) => sum + (char.codePointAt(0)! >= 0x1100 ? 2 : 1), 0);

describe("GrowingRows", () => {
  it("counts what rowsAboveCursor counts for the whole text, however it arrives", () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const alphabet = ["a", "b", " ", "\n", "漢", "x".repeat(30), "é"];
    for (let round = 0; round < 200; round++) {
      const columns = 10 + random(50);
      const rows = new GrowingRows(width);
      rows.reset("", columns);
      let text = "";
      for (let piece = 0; piece < 40; piece++) {
        const added = Array.from({ length: random(12) }, () => alphabet[random(alphabet.length)]).join("");
        text += added;
        rows.append(added);
        expect(rows.aboveCursor, JSON.stringify({ text, columns })).toBe(rowsAboveCursor(text, columns, width));
      }
    }
  });

  it("measures each character once as the text grows (streaming costs its length, not its length squared)", () => {
    let measured = 0;
    const rows = new GrowingRows((line) => ((measured += line.length), width(line)));
    rows.reset("", 80);
    const table = "| some cell text here | another cell with words |\n".repeat(500);
    for (let i = 0; i < table.length; i += 4) rows.append(table.slice(i, i + 4));
    expect(measured).toBeLessThanOrEqual(table.length);
    expect(rows.aboveCursor).toBe(500);
  });

  it("starts over from what is on screen, at a new width", () => {
    const rows = new GrowingRows(width);
    rows.reset("x".repeat(100), 80);
    expect(rows.aboveCursor).toBe(1);
    rows.reset("x".repeat(100), 40);
    expect(rows.aboveCursor).toBe(2);
    expect(rows.width).toBe(40);
  });
});
