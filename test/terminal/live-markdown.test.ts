import xterm from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { LiveMarkdown, rowsAboveCursor } from "../../src/terminal/live-markdown.js";
import { stripControls } from "../../src/sanitize.js";

/** A fake terminal stream whose output is replayed through a terminal emulator. */
function terminal(columns: number, rows: number) {
  const screen = new xterm.Terminal({ cols: columns, rows, scrollback: 1000, allowProposedApi: true, convertEol: true });
  let written = "";
  const out = { columns, rows, write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream;
  const lines = async () => {
    await new Promise<void>((resolve) => screen.write(written, resolve));
    const buffer = screen.buffer.active;
    const result: string[] = [];
    for (let i = 0; i < buffer.length; i++) result.push(buffer.getLine(i)?.translateToString(true) ?? "");
    return result.join("\n").replace(/\n+$/, "");
  };
  return { out, lines, written: () => written };
}

// A stand-in renderer that makes rendering visible: upper case, bold markers removed.
const render = async (markdown: string) => markdown.replace(/\*\*/g, "").toUpperCase();

async function stream(text: string, pieceSize: number, columns = 20, rows = 10) {
  const term = terminal(columns, rows);
  const live = new LiveMarkdown(term.out, render);
  for (let i = 0; i < text.length; i += pieceSize) await live.push(text.slice(i, i + pieceSize));
  await live.end();
  return term;
}

describe("LiveMarkdown", () => {
  it("replaces each raw line by its rendering, however the text is split and wrapped", async () => {
    const text = "first **line** here\na much longer second line that wraps twice on a narrow screen\n\n- a\n- b\nlast";
    const expected = "FIRST LINE HERE\nA MUCH LONGER SECOND\n LINE THAT WRAPS TWI\nCE ON A NARROW SCREE\nN\n\n- A\n- B\nLAST";
    for (const size of [1, 4, 1000]) expect(await (await stream(text, size)).lines()).toBe(expected);
  });

  it("shows raw text before a line is complete", async () => {
    const term = terminal(40, 10);
    const live = new LiveMarkdown(term.out, render);
    await live.push("partial **text**");
    expect(await term.lines()).toBe("partial **text**");
  });

  it("leaves raw text alone once it has scrolled out of reach", async () => {
    const list = Array.from({ length: 15 }, (_, i) => `- item ${i}`).join("\n");
    const term = await stream(`${list}\nafter\n`, 3, 20, 5);
    expect(term.written()).not.toContain("- ITEM 0");
    expect(await term.lines()).toMatch(/- item 13\n- item 14\nafter$/);
  });
});

describe("terminal helpers", () => {
  it("counts the rows above the cursor, wide characters and exact-width lines included", () => {
    expect(rowsAboveCursor("", 10)).toBe(0);
    expect(rowsAboveCursor("abc", 10)).toBe(0);
    expect(rowsAboveCursor("abc\n", 10)).toBe(1);
    expect(rowsAboveCursor("0123456789", 10)).toBe(0);
    expect(rowsAboveCursor("0123456789\n", 10)).toBe(1);
    expect(rowsAboveCursor("01234567890", 10)).toBe(1);
    expect(rowsAboveCursor("漢字漢字漢字", 10)).toBe(1);
  });

  it("strips escape sequences and control characters from model text", () => {
    expect(stripControls("a\x1b[2J\x1b]0;title\x07b\rc\x07d\te\n")).toBe("abcd\te\n");
  });
});
