import { describe, expect, it } from "vitest";
import { reply, useFakeOpenAI, type ReplyBuilder } from "../support/fake-openai.js";
import { startRepl, type PtySession } from "../support/pty.js";
import { cliOptions } from "../support/run-cli.js";
import { tempWorkspace } from "../support/workspace.js";

const fakeOpenAI = useFakeOpenAI();

/** A reply streamed a few code points per SSE chunk, splitting words, emoji sequences and accents apart. */
function inSmallChunks(text: string, size = 2): ReplyBuilder {
  const points = [...text];
  const builder = reply();
  for (let i = 0; i < points.length; i += size) builder.text(points.slice(i, i + size).join(""));
  return builder;
}

/** One request in a fresh REPL at `columns`; resolves when the answer's last line and the next prompt are on screen. */
async function ask(columns: number, answer: ReplyBuilder[], lastLine: string | RegExp): Promise<PtySession> {
  const ws = tempWorkspace();
  const fake = await fakeOpenAI(answer);
  const pty = await startRepl([], { ...cliOptions(ws, fake), columns });
  pty.type("go\r");
  await pty.waitFor(lastLine, { timeoutMs: 20_000 });
  await pty.waitFor(/mini-claude> [^]*mini-claude> $/, { timeoutMs: 20_000 });
  await pty.quit();
  return pty;
}

/** The rows after the request's prompt line, up to the next prompt. */
async function answerRows(pty: PtySession) {
  const rows = await pty.rows();
  const start = rows.findIndex((row) => row.text === "mini-claude> go");
  const end = rows.findIndex((row, i) => i > start && row.text.startsWith("mini-claude>"));
  return rows.slice(start + 1, end);
}

const count = (texts: string[], text: string) => texts.filter((t) => t === text).length;

describe("the answer fits the terminal", () => {
  const lines = [
    "Résumé of the café crème 🎉 naïve coöperation",
    "漢字とかなの混じった文章です。絵文字も🙂入ります。",
    "Flags 🇯🇵🇫🇷 and a family 👨‍👩‍👧 and a coder 👩‍💻 done",
    "Zalgo e\u0301\u0302 a\u0308 o\u0303 and ❤️ hearts ✔️",
    "한국어 문장과 🍣🍜 음식 이야기",
  ];
  const paragraph = `${"長い段落🙂が続きます、".repeat(12)}end.`;

  for (const columns of [60, 120]) {
    it(`streams an emoji-heavy answer in small chunks at ${columns} columns: every line once, the prompt kept`, async () => {
      const pty = await ask(columns, [inSmallChunks(`${lines.join("\n")}\n\n${paragraph}\n\nlast line`)], "last line");
      const rows = await answerRows(pty);
      const texts = rows.map((row) => row.text.trimEnd());
      for (const line of lines) expect(count(texts, line.normalize()), line).toBe(1);
      // The paragraph wrapped by the renderer (no row wrapped by the terminal), nothing lost or doubled.
      expect(rows.filter((row) => row.wrapped)).toEqual([]);
      expect(texts.join("").match(/長い段落/g)).toHaveLength(12);
      expect(count(texts, "last line")).toBe(1);
      expect((await pty.rendered()).split("\n").filter((line) => line === "mini-claude> go")).toHaveLength(1);
    });
  }

  it("narrows a wide table to 60 columns, wrapping cells, with every word readable", async () => {
    const table = [
      "| File | What changed | Why |",
      "| --- | --- | --- |",
      "| src/greet.ts | the greeting now says hello with the person's name | asked for a friendlier tone |",
      "| test/greet.test.ts | a test for the new greeting and one for an empty name | so it stays that way |",
    ].join("\n");
    const pty = await ask(60, [inSmallChunks(`${table}\n\nDone.`, 5)], "Done.");
    const rows = await answerRows(pty);
    expect(rows.filter((row) => row.wrapped)).toEqual([]);
    const grid = rows.filter((row) => /^[┌│├└]/.test(row.text)).map((row) => row.text);
    expect(grid.length).toBeGreaterThan(6);
    for (const row of grid) expect(row.length).toBeLessThanOrEqual(60);
    const words = grid.join(" ").replace(/[│┌┐└┘├┤┬┴┼─]/g, " ");
    for (const word of table.replace(/[|-]/g, " ").split(/\s+/).filter(Boolean)) expect(words).toContain(word);
    // The raw table was replaced, not left above the rendered one.
    expect(rows.some((row) => row.text.startsWith("| File"))).toBe(false);
  });

  it("renders a table taller than the screen whole, as one grid", async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `| src/file${i}.ts | changed line ${i} |`);
    const pty = await ask(60, [inSmallChunks(`| File | Change |\n| --- | --- |\n${rows.join("\n")}\n\nDone.`, 8)], "Done.");
    const texts = (await answerRows(pty)).map((row) => row.text.trimEnd());
    for (let i = 0; i < 50; i++) expect(texts.filter((text) => text.includes(`src/file${i}.ts `))).toHaveLength(1);
    expect(texts.filter((text) => text.startsWith("┌"))).toHaveLength(1);
    expect(texts.some((text) => text.startsWith("|"))).toBe(false);
  });

  it("shows a table too wide for any readable grid as records, one `header: value` line each", async () => {
    const table = [
      "| id | name | owner | status | created | updated | region |",
      "| --- | --- | --- | --- | --- | --- | --- |",
      "| 1 | frontend-service | platform team | running | 2026-11-30 | 2026-12-01 | eu-west-1 |",
    ].join("\n");
    const pty = await ask(60, [inSmallChunks(`${table}\n\nDone.`, 5)], "Done.");
    const texts = (await answerRows(pty)).map((row) => row.text);
    for (const record of ["id: 1", "name: frontend-service", "owner: platform team", "status: running", "region: eu-west-1"]) {
      expect(count(texts, record)).toBe(1);
    }
  });

  it("wraps a long list item at word boundaries under its text", async () => {
    const item = "a list item that goes on well past the edge of a sixty column terminal, with 漢字 and 🎉 emoji inside it";
    const pty = await ask(60, [inSmallChunks(`- short\n- ${item}\n  1. nested ${"word ".repeat(14)}end\n\nDone.`, 3)], "Done.");
    const rows = await answerRows(pty);
    expect(rows.filter((row) => row.wrapped)).toEqual([]);
    const texts = rows.map((row) => row.text);
    const first = texts.findIndex((text) => text.startsWith("  * a list item"));
    expect(texts[first + 1]).toMatch(/^ {4}\S/);
    expect(texts.slice(first, first + 3).join(" ").replace(/\s+/g, " ").trim()).toMatch(`* ${item} 1. nested`);
    const nested = texts.findIndex((text) => text.startsWith("    1. nested"));
    expect(texts[nested + 1]).toMatch(/^ {7}word/);
  });

  it("renders a list taller than the screen, numbered on across its screenfuls", async () => {
    const items = Array.from({ length: 55 }, (_, i) => `${i + 1}. step ${i + 1}`);
    const pty = await ask(60, [inSmallChunks(`${items.join("\n")}\n\nDone.`, 6)], "Done.");
    const texts = (await answerRows(pty)).map((row) => row.text.trimEnd());
    for (const item of items) expect(count(texts, `  ${item}`), item).toBe(1);
    expect(texts.filter((text) => /^\d+\. step/.test(text))).toEqual([]);
  });

  it("highlights a code block taller than the screen, past the first screenful too", async () => {
    const code = Array.from({ length: 70 }, (_, i) => `const value${i} = compute(${i}); // step ${i}`);
    const pty = await ask(60, [inSmallChunks(`\`\`\`js\n${code.join("\n")}\n\`\`\`\nDone.`, 12)], "Done.");
    const raw = pty.raw();
    for (const i of [45, 60, 69]) {
      const at = raw.lastIndexOf(`value${i} `);
      const line = raw.slice(raw.lastIndexOf("\n", at), raw.indexOf("\n", at));
      expect(line, `line ${i}`).toMatch(/\x1b\[[0-9;]*m/);
    }
    const texts = (await answerRows(pty)).map((row) => row.text.trim());
    for (const line of code) expect(count(texts, line), line).toBe(1);
    expect(texts.some((text) => text.startsWith("```"))).toBe(false);
  });
});

describe("resizing the terminal", () => {
  const table = "| File | What changed | Why |\n| --- | --- | --- |\n| src/greet.ts | the greeting now says hello with the person's name | asked for a friendlier tone |";

  /** Streams `first`, then the table; resizes from 120 to 60 columns once MARK is on screen. */
  async function resizedAt(first: string) {
    const ws = tempWorkspace();
    // Slow enough that the line is still streaming when the resize lands, even on a loaded machine.
    const fake = await fakeOpenAI([reply().text(`${first}\n\n${table}\n\nDone.`).delay(100)]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 120 });
    pty.type("go\r");
    await pty.waitFor("MARK");
    pty.resize(60);
    await pty.waitFor(/Done\.[^]*mini-claude> $/, { timeoutMs: 20_000 });
    await pty.quit();
    const rows = await answerRows(pty);
    expect((await pty.rendered()).split("\n").filter((line) => line === "mini-claude> go")).toHaveLength(1);
    // The table streamed after the resize is laid out at 60 columns.
    const grid = rows.filter((row) => /^[┌│├└]/.test(row.text));
    expect(grid[0].text).toMatch(/^┌─.*┐$/);
    expect(grid.every((row) => row.text.length <= 60 && !row.wrapped)).toBe(true);
    expect(rows.filter((row) => row.text === "Done.")).toHaveLength(1);
    return rows.map((row) => row.text.trimEnd());
  }

  it("lays out a line that was mid-stream at the resize at the new width, erasing its raw echo exactly", async () => {
    const texts = await resizedAt("Short MARK, and then the line goes on for a good while after the resize has happened, past sixty columns.");
    expect(texts.filter((text) => text.includes("MARK"))).toEqual(["Short MARK, and then the line goes on for a good while after"]);
    expect(texts).toContain("the resize has happened, past sixty columns.");
  });

  it("leaves a raw line wider than the new width as it is, never erasing the prompt or doubling it", async () => {
    const texts = await resizedAt("A first line that is longer than sixty columns, well past the edge, MARK and then it goes on a while.");
    // However the terminal shows the cut line, it is there once, and the prompt above it survived (checked above).
    expect(texts.filter((text) => text.startsWith("A first line"))).toHaveLength(1);
  });
});

describe("the queued-input line fits the terminal", () => {
  it("cuts wide typed text by display width, so the line below the answer never wraps", async () => {
    const ws = tempWorkspace();
    // Slow enough that the footer is still up when the screen is read after it appeared, even on a loaded machine.
    const fake = await fakeOpenAI([reply().text(`${"word ".repeat(30)}end.`).delay(150), reply().text("Second answer.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("go\r");
    await pty.waitFor("word word");
    pty.type(`${"漢字".repeat(30)}\r`);
    await pty.waitFor("queued (runs after this turn): 漢字");
    const footer = (await pty.rows()).filter((row) => row.text.includes("queued (runs after this turn)"));
    expect(footer.at(-1)!.text).toMatch(/…$/);
    expect((await pty.rows()).filter((row) => row.wrapped && row.text.includes("漢字"))).toEqual([]);
    await pty.waitFor("Second answer.");
    await pty.quit();
    expect(fake.requests[1].messages.at(-1).content).toBe("漢字".repeat(30));
  });
});

describe("tool lines fit the terminal", () => {
  it("cuts a label with wide characters to the width, ending with …", async () => {
    const ws = tempWorkspace();
    const path = `資料/${"とても長いファイル名🎉".repeat(6)}.md`;
    const fake = await fakeOpenAI([reply().tool("read_file", { path }), reply().text("Not there.")]);
    const pty = await startRepl([], { ...cliOptions(ws, fake), columns: 60 });
    pty.type("read it\r");
    await pty.waitFor("Not there.");
    await pty.quit();
    const rows = await pty.rows();
    const at = rows.findIndex((row) => row.text.startsWith("• read_file 資料/"));
    const label = rows[at];
    expect(label.text).toMatch(/…$/);
    // The row after it is the outcome, not the rest of the label wrapped by the terminal.
    expect(rows[at + 1]).toMatchObject({ wrapped: false });
    expect(rows[at + 1].text).toMatch(/^ {2}└ /);
    // Cut by columns, not characters: a wide label takes nearly the whole row.
    expect([...label.text].length).toBeLessThan(40);
  });
});
