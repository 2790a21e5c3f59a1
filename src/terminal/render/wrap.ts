import { displayWidthNow } from "./display-width.js";

/**
 * The one wrap rule for the lines mini-claude writes itself (the banner, `└` outcomes, tool
 * errors, job lines, notices, the action shown in a question): break at spaces, never inside a
 * word unless the word alone is wider than the row, and start each continuation row two columns
 * deeper than the line's own indentation (a two-column list's row: under its second column), so a
 * wrapped line reads as one item. Answers are laid
 * out by the Markdown renderer; one-line labels and the footer are cut instead (fitLine).
 */

/** Made when a word first needs cutting: building it loads ICU's break rules. */
let graphemes: Intl.Segmenter | undefined;

/** Extra indentation of a continuation row, beyond the line's own. */
const HANG = 2;

/**
 * Contract: every line of `text` laid out in `columns` less one spare column (counted by display
 * width; escape sequences count nothing); no `columns` (not a terminal, a pipe): `text` unchanged,
 * so nothing is ever cut where a program reads it.
 */
export function wrapText(text: string, columns: number | undefined): string {
  if (!columns) return text;
  return text
    .split("\n")
    .map((line) => wrapLine(line, columns).join("\n"))
    .join("\n");
}

function wrapLine(line: string, columns: number): string[] {
  const room = Math.max(10, columns - 1);
  if (displayWidthNow(line) <= room) return [line];
  const indent = /^ */.exec(line)![0].length;
  // A row of a two-column list ("  /name     what it does") hangs under its second column.
  const column = /^ *\S+(?: \S+)* {2,}(?=\S)/.exec(line)?.[0].length;
  const hang = column !== undefined && column <= room / 2 ? column : indent + HANG;
  const pad = " ".repeat(Math.min(hang, room - 10));
  const rows: string[] = [];
  let row = "";
  let width = 0;
  const breakRow = () => {
    rows.push(row.trimEnd());
    row = pad;
    width = pad.length;
  };
  for (const token of line.match(/ +|[^ ]+/g) ?? []) {
    const tokenWidth = displayWidthNow(token);
    if (token.startsWith(" ")) {
      // Spaces at a break are dropped; the continuation row starts with its own indentation.
      if (row === pad && rows.length) continue;
      if (width + tokenWidth > room) breakRow();
      else (row += token), (width += tokenWidth);
      continue;
    }
    if (width + tokenWidth <= room) {
      row += token;
      width += tokenWidth;
      continue;
    }
    if (row.trim()) breakRow();
    // A word wider than a whole row is cut where the row ends.
    for (const { segment } of segments(token)) {
      const segmentWidth = displayWidthNow(segment);
      if (width + segmentWidth > room && row.trim()) breakRow();
      row += segment;
      width += segmentWidth;
    }
  }
  if (row.trim()) rows.push(row.trimEnd());
  return rows;
}

function segments(word: string): Iterable<{ segment: string }> {
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  return graphemes.segment(word);
}
