import xterm from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { LiveMarkdown, rowsAboveCursor } from "../../src/terminal/render/live-markdown.js";
import { showControls, stripControls } from "../../src/sanitize.js";
import { loadDisplayWidth } from "../../src/terminal/render/display-width.js";

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
    const line = Array.from({ length: 30 }, (_, i) => `w${i}`).join(" ");
    const term = await stream(`${line}\nafter\n`, 3, 20, 5);
    expect(term.written()).not.toContain("W0");
    expect(await term.lines()).toMatch(/w29\nAFTER$/);
  });

  it("renders a list taller than the screen a screenful at a time, each item once", async () => {
    const items = Array.from({ length: 15 }, (_, i) => `${i + 1}. item ${i}`);
    const term = await stream(`${items.join("\n")}\n  and more\nafter\n`, 3, 20, 5);
    const lines = (await term.lines()).split("\n");
    expect(lines.filter((line) => /ITEM \d+$/.test(line))).toEqual(items.map((item) => item.toUpperCase()));
    expect(lines.some((line) => /item \d/.test(line))).toBe(false);
    expect(lines.slice(-2)).toEqual(["  AND MORE", "AFTER"]);
    // Cut between top-level items only: later pieces start with a later number.
    expect(term.written()).toMatch(/\r\x1b\[J1[0-9]\. ITEM/);
  });

  it("stops echoing a table before it scrolls out of reach, and renders it whole", async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `| row ${i} |`);
    const term = await stream(`| head |\n| --- |\n${rows.join("\n")}\nafter\n`, 4, 20, 6);
    const lines = (await term.lines()).split("\n");
    expect(lines.filter((line) => /ROW \d+/.test(line))).toEqual(rows.map((row) => row.toUpperCase()));
    expect(lines.some((line) => /row \d/.test(line))).toBe(false);
    expect(lines.at(-1)).toBe("AFTER");
    // Rendered once, as one table.
    expect(term.written().match(/\| HEAD \|/g)).toHaveLength(1);
  });

  it("renders a code block taller than the screen a screenful at a time, each line once", async () => {
    const code = Array.from({ length: 30 }, (_, i) => (i === 12 ? "" : `line ${i}`));
    const term = await stream(`before\n\`\`\`js\n${code.join("\n")}\n\`\`\`\nafter\n`, 3, 20, 8);
    const lines = (await term.lines()).split("\n");
    // Every line rendered (upper case), none left raw, none twice, the blank line kept in place.
    expect(lines.filter((line) => /^LINE \d+$/.test(line))).toEqual(code.filter(Boolean).map((line) => line.toUpperCase()));
    expect(lines.some((line) => /line \d/.test(line))).toBe(false);
    expect(lines[0]).toBe("BEFORE");
    expect(lines.at(-1)).toBe("AFTER");
    // Each piece is a fence of its own, opened with the block's info string.
    expect(term.written().match(/```JS/g)!.length).toBeGreaterThan(2);
    expect(lines.indexOf("LINE 13") - lines.indexOf("LINE 11")).toBe(2);
  });
});

describe("terminal helpers", () => {
  it("counts the rows above the cursor by display width: wide two, zero-width and combining none", async () => {
    const width = await loadDisplayWidth();
    const rows = (text: string, columns: number) => rowsAboveCursor(text, columns, width);
    expect(rows("", 10)).toBe(0);
    expect(rows("abc", 10)).toBe(0);
    expect(rows("abc\n", 10)).toBe(1);
    expect(rows("0123456789", 10)).toBe(0);
    expect(rows("0123456789\n", 10)).toBe(1);
    expect(rows("01234567890", 10)).toBe(1);
    expect(rows("漢字漢字漢字", 10)).toBe(1);
    expect(rows(`ok${"\u200b".repeat(250)}\n`, 10)).toBe(1);
    expect(rows(`e${"\u0301".repeat(30)}`, 10)).toBe(0);
    expect(width("a\tb")).toBe(9);
  });

  it("strips escape sequences and control characters from model text", () => {
    expect(stripControls("a\x1b[2J\x1b]0;title\x07b\rc\x07d\te\n")).toBe("abcd\te\n");
    // OSC 52 (clipboard) and OSC 8 (hidden link) ended by ST, an unterminated title, C1 controls, 8-bit CSI.
    expect(stripControls("x\x1b]52;c;cm0gLXJmIH4=\x1b\\y")).toBe("xy");
    expect(stripControls("\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\")).toBe("click");
    expect(stripControls("ok\x1b]2;pwned")).toBe("ok");
    expect(stripControls("a\x9b2Jb\x85c\x9d0;t\x07d")).toBe("abcd");
    expect(stripControls("é ü 漢")).toBe("é ü 漢");
  });

  it("makes controls and invisible characters visible in labels and commands", () => {
    expect(showControls("npm test\n\x1b[2A\rtouch PWNED")).toBe("npm test\\n\\x1b[2A\\rtouch PWNED");
    expect(showControls("a\u202eb\u200bc\x00\x9b")).toBe("a\\u{202e}b\\u{200b}c\\x00\\x9b");
    expect(showControls("row 1\nrow\t2", "\n\t")).toBe("row 1\nrow\t2");
    expect(showControls("é 漢 🙂")).toBe("é 漢 🙂");
  });
});
