import { describe, expect, it } from "vitest";
import { colorEnabled, palette } from "../../src/terminal/render/colors.js";
import { renderDiff } from "../../src/terminal/render/diff.js";
import { renderMarkdown } from "../../src/terminal/render/markdown.js";

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const plain = (text: string) => text.replace(ANSI, "");
const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("colorEnabled", () => {
  it("colours a TTY unless NO_COLOR or TERM=dumb say otherwise", () => {
    expect(colorEnabled(tty, { TERM: "xterm-256color" })).toBe(true);
    expect(colorEnabled(pipe, { TERM: "xterm-256color" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled(tty, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled(tty, { TERM: "dumb" })).toBe(false);
  });

  it("lets FORCE_COLOR decide in both directions", () => {
    expect(colorEnabled(pipe, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled(pipe, { FORCE_COLOR: "" })).toBe(true);
    expect(colorEnabled(tty, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled(tty, { FORCE_COLOR: "false", TERM: "xterm" })).toBe(false);
    expect(colorEnabled(pipe, { FORCE_COLOR: "3", NO_COLOR: "1" })).toBe(true);
  });
});

describe("palette", () => {
  it("colours only when enabled", () => {
    expect(palette(false).red("error")).toBe("error");
    expect(palette(true).red("error")).toBe("\x1b[31merror\x1b[39m");
  });
});

const answer = `# Fixed the parser

The bug was in \`parseArgs\`: it **ignored** the last flag.

## Changes

- renamed \`foo\` to **bar**
- added a test
  - nested item with \`code\`
- [x] task done

1. run \`npm test\`
2. ship it

\`\`\`ts
const answer = 42;
\`\`\`

> a quote
`;

describe("renderMarkdown", () => {
  it("returns the text unchanged without colour", async () => {
    expect(await renderMarkdown(answer, { color: false, width: 80 })).toBe(answer);
    expect(await renderMarkdown("no newline *here*", { color: false })).toBe("no newline *here*");
  });

  it("lays the Markdown out without any escape for a terminal under NO_COLOR", async () => {
    const out = await renderMarkdown(`# Plan\n\n* first **step**\n* second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\`\`\`js\nconst x = 1;\n\`\`\`\n\n${"word ".repeat(20).trim()}\n`, { color: false, layout: true, width: 40 });
    expect(out).not.toContain("\x1b");
    expect(out).not.toMatch(/^#|\*\*|```/m);
    expect(out).toContain("Plan");
    expect(out).toMatch(/^ {2}\* first step$/m);
    expect(out).toMatch(/│ a +│ b +│/);
    expect(out).toMatch(/^ +const x = 1;$/m);
    expect(out.split("\n").every((line) => line.length <= 40)).toBe(true);
  });

  it("styles headings, lists, code blocks and inline code with colour, keeping their text", async () => {
    const out = await renderMarkdown(answer, { color: true, width: 80 });
    expect(out).toMatch(ANSI);
    expect(out.endsWith("\n") && !out.endsWith("\n\n")).toBe(true);
    expect(out).toContain("\x1b[33mparseArgs\x1b[39m");
    expect(out).toContain("\x1b[1mignored\x1b[22m");

    const lines = plain(out).split("\n").map((line) => line.trimEnd());
    expect(lines[0]).toBe("Fixed the parser");
    expect(lines).toContain("The bug was in parseArgs: it ignored the last flag.");
    expect(lines).toContain("Changes");
    expect(lines).toContain("  * renamed foo to bar");
    expect(lines).toContain("    * nested item with code");
    expect(lines).toContain("  * [X] task done");
    expect(lines).toContain("  1. run npm test");
    expect(lines).toContain("  const answer = 42;");
    expect(lines).toContain("  a quote");
    expect(plain(out)).not.toMatch(/\*\*|`|^#/m);
  });

  it("styles inline markup inside list items too", async () => {
    const out = await renderMarkdown("- use `npm ci` and **not** install\n", { color: true });
    expect(out).toContain("\x1b[33mnpm ci\x1b[39m");
    expect(out).toContain("\x1b[1mnot\x1b[22m");
  });

  it("wraps paragraphs at the given width", async () => {
    const out = await renderMarkdown(`${"word ".repeat(40).trim()}\n`, { color: true, width: 30 });
    const lines = plain(out).trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((line) => line.length <= 30)).toBe(true);
  });

  it("falls back to 80 columns when the terminal reports none", async () => {
    const out = plain(await renderMarkdown(`# Done\n\n${"word ".repeat(30).trim()}\n`, { color: true, width: 0 }));
    expect(out.split("\n")[0]).toBe("Done");
    expect(out).toContain("word word");
    expect(out.split("\n").every((line) => line.length <= 80)).toBe(true);
  });

  it("does not pass escape sequences from the text through to the terminal", async () => {
    const out = await renderMarkdown("title \x1b]0;pwned\x07 and \x1b[2J clear\n", { color: true });
    expect(out).not.toContain("\x1b]");
    expect(out).not.toContain("\x1b[2J");
    expect(out).not.toContain("\x07");
  });
});

describe("renderDiff", () => {
  const before = "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n";
  const after = before.replace("line 4\n", "line four\n").replace("line 8\n", "line 8\nline 9\n");

  it("shows a plain unified diff with context and hunk headers", () => {
    expect(renderDiff(before, after, "src/a.ts", { color: false })).toBe(
      [
        "--- src/a.ts",
        "+++ src/a.ts",
        "@@ -1,8 +1,9 @@",
        " line 1",
        " line 2",
        " line 3",
        "-line 4",
        "+line four",
        " line 5",
        " line 6",
        " line 7",
        " line 8",
        "+line 9",
      ].join("\n"),
    );
  });

  it("colours added lines green, removed lines red, hunk headers cyan", () => {
    const lines = renderDiff(before, after, "src/a.ts", { color: true }).split("\n");
    expect(lines).toContain("\x1b[31m-line 4\x1b[39m");
    expect(lines).toContain("\x1b[32m+line four\x1b[39m");
    expect(lines).toContain("\x1b[36m@@ -1,8 +1,9 @@\x1b[39m");
    expect(lines).toContain(" line 5");
  });

  it("caps long diffs with a count of what was left out", () => {
    const created = Array.from({ length: 100 }, (_, i) => `row ${i}`).join("\n") + "\n";
    const lines = renderDiff("", created, "big.txt", { color: false, maxLines: 10 }).split("\n");
    expect(lines).toHaveLength(11);
    expect(lines[2]).toBe("@@ -0,0 +1,100 @@");
    expect(lines[9]).toBe("+row 6");
    expect(lines[10]).toBe("… 93 more lines");
  });

  it("colours a removed line by its sign even when its text looks like a file header", () => {
    const lines = renderDiff("-- comment\nselect 1;\n", "select 1;\n", "q.sql", { color: true }).split("\n");
    expect(lines[0]).toBe("\x1b[1m--- q.sql\x1b[22m");
    expect(lines).toContain("\x1b[31m--- comment\x1b[39m");
  });

  it("gives up on a diff too costly to compute and says what changed instead", () => {
    const many = (tag: string) => Array.from({ length: 30_000 }, (_, i) => `${tag} ${i}`).join("\n") + "\n";
    expect(renderDiff(many("old"), many("new"), "huge.txt", { color: false })).toBe(
      "huge.txt: changed (30000 → 30000 lines; too large to diff here)",
    );
  });

  it("is empty when nothing changed", () => {
    expect(renderDiff(before, before, "src/a.ts", { color: true })).toBe("");
  });
});
