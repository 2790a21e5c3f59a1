import { describe, expect, it } from "vitest";
import { MarkdownBlocks } from "../../src/terminal/render/markdown-blocks.js";

function feed(text: string, pieceSize: number): string[] {
  const blocks = new MarkdownBlocks();
  const out: string[] = [];
  for (let i = 0; i < text.length; i += pieceSize) out.push(...blocks.push(text.slice(i, i + pieceSize)));
  return [...out, ...blocks.end()];
}

describe("MarkdownBlocks", () => {
  it("releases each ordinary line as soon as it ends, and the rest at the end", () => {
    const blocks = new MarkdownBlocks();
    expect(blocks.push("# Title\nSome ")).toEqual(["# Title"]);
    expect(blocks.push("text")).toEqual([]);
    expect(blocks.push(" here\n\nMore")).toEqual(["Some text here", ""]);
    expect(blocks.end()).toEqual(["More"]);
  });

  it("keeps code fences, tables and lists whole, however the text is split", () => {
    const text = "Intro\n```js\nconst a = 1;\n\nconst b = 2;\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n1. one\n2. two\n   more of two\nAfter\n";
    const expected = ["Intro", "```js\nconst a = 1;\n\nconst b = 2;\n```", "| a | b |\n|---|---|\n| 1 | 2 |", "1. one\n2. two\n   more of two", "After"];
    for (const size of [1, 3, 7, 1000]) expect(feed(text, size)).toEqual(expected);
  });

  it("flushes an unterminated fence at the end instead of losing it", () => {
    expect(feed("```\ncode without end", 4)).toEqual(["```\ncode without end"]);
  });

  it("cuts an open fence into closed pieces, blank lines waiting for the next, and a list between top-level items", () => {
    const fence = new MarkdownBlocks();
    fence.push("~~~~python\na = 1\n\n");
    expect(fence.cut()).toBe("~~~~python\na = 1\n~~~~");
    expect(fence.pending).toBe("~~~~python\n\n");
    expect(fence.cut()).toBeUndefined();
    // A fence closes only with its own character, at least as long: ``` inside ~~~~ is code.
    expect(fence.push("```\n~~~\nb = 2\n~~~~~\n")).toEqual(["~~~~python\n\n```\n~~~\nb = 2\n~~~~~"]);
    expect(fence.end()).toEqual([]);

    const list = new MarkdownBlocks();
    list.push("3. three\n   - sub\n4. four\n   - sub of four\n");
    expect(list.cut()).toBe("3. three\n   - sub");
    expect(list.cut()).toBeUndefined();
    expect(list.end()).toEqual(["4. four\n   - sub of four"]);

    const table = new MarkdownBlocks();
    table.push("| a |\n| - |\n| 1 |\n");
    expect(table.open).toBe("table");
    expect(table.cut()).toBeUndefined();
  });
});
