import { describe, expect, it } from "vitest";
import { MarkdownBlocks } from "../../src/terminal/markdown-blocks.js";

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
});
