import type { RendererObject, Token, Tokens } from "marked";
import type { Colors } from "./colors.js";
import type { TextMeasure } from "./display-width.js";
import { layoutTable } from "./table-layout.js";
import { stripControls } from "../../sanitize.js";

/**
 * Makes marked-terminal's output fit the terminal, measured by display width (an emoji or a CJK
 * character two columns, a combining mark none), which its own reflow counts in UTF-16 units:
 * paragraphs and headings wrap at word boundaries; list items wrap with a hanging indent, so
 * continuation lines sit under the item's text, nested lists inside their parent's; tables are
 * narrowed or become records (table-layout.ts). Blocks inside a list or a quote wrap at the
 * columns left to them. Must be installed with marked-terminal's `reflowText` off.
 */

/** What `br` (a hard line break) renders to until the paragraph is wrapped; soft breaks become spaces. */
interface BlockParser {
  parse(tokens: Token[]): string;
  parseInline(tokens: Token[]): string;
}

const HARD_BREAK = "\uE000";
const LIST_INDENT = "  ";
const QUOTE_INDENT = 2;

export function fitToWidth(renderer: RendererObject, width: number, measure: TextMeasure, c: Colors): void {
  const { heading, blockquote } = renderer;
  if (!heading || !blockquote) return;
  /** Columns left for the block being rendered, less what enclosing lists and quotes take. */
  let room = width;
  let listDepth = 0;
  const within = <T>(used: number, render: () => T): T => {
    room -= used;
    try {
      return render();
    } finally {
      room += used;
    }
  };
  const wrap = (text: string) => measure.wrap(text.replace(/\n/g, " ").replace(new RegExp(HARD_BREAK, "g"), "\n"), room);
  const section = (lines: string[]) => `${lines.join("\n")}\n\n`;

  renderer.br = () => HARD_BREAK;
  renderer.codespan = (token: Tokens.Codespan) => c.yellow(stripControls(token.text));
  renderer.paragraph = function (token: Tokens.Paragraph) {
    return section(wrap(this.parser.parseInline(token.tokens)));
  };
  renderer.heading = function (token: Tokens.Heading) {
    return section(wrap(String(heading.call(this, token)).replace(/\n+$/, "")));
  };
  renderer.blockquote = function (token: Tokens.Blockquote) {
    return within(QUOTE_INDENT, () => blockquote.call(this, token));
  };
  renderer.hr = () => section([c.gray("─".repeat(Math.max(1, room - 1)))]);
  renderer.table = function (token: Tokens.Table) {
    const cell = (cell: Tokens.TableCell) => this.parser.parseInline(cell.tokens).replace(/\n/g, " ");
    const table = { header: token.header.map(cell), rows: token.rows.map((row) => row.map(cell)), align: token.align };
    return section(layoutTable(table, room, measure, { border: c.gray, header: c.bold }));
  };
  renderer.list = function (token: Tokens.List) {
    const indent = listDepth === 0 ? LIST_INDENT : "";
    const start = token.start === "" || token.start === undefined ? 1 : Number(token.start);
    listDepth++;
    try {
      const lines = token.items.flatMap((item, i) => {
        const marker = `${indent}${token.ordered ? `${start + i}.` : "*"} `;
        const hang = " ".repeat(marker.length);
        const body = within(marker.length, () => itemLines(this.parser, item, token.loose));
        const out = body.map((line, k) => (line ? (k === 0 ? marker : hang) + line : line));
        return token.loose && i < token.items.length - 1 ? [...out, ""] : out;
      });
      return section(lines);
    } finally {
      listDepth--;
    }
  };

  /** One item's blocks at the current room, its checkbox (a task item) before its first text. */
  const itemLines = (parser: BlockParser, item: Tokens.ListItem, loose: boolean): string[] => {
    const lines: string[] = [];
    let checkbox = "";
    for (const token of item.tokens) {
      if (token.type === "space") continue;
      if (token.type === "checkbox") {
        checkbox = `[${(token as Tokens.Checkbox).checked ? "X" : " "}] `;
        continue;
      }
      if (loose && lines.length && token.type !== "list") lines.push("");
      if (token.type === "text" || token.type === "paragraph") {
        const inline = "tokens" in token && token.tokens ? parser.parseInline(token.tokens) : (token as Tokens.Text).text;
        lines.push(...wrap(checkbox + inline));
      } else {
        lines.push(...parser.parse([token]).replace(/\n+$/, "").split("\n"));
      }
      checkbox = "";
    }
    if (checkbox) lines.push(checkbox.trimEnd());
    return lines.length ? lines : [""];
  };
}
