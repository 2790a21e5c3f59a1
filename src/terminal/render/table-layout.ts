import type { TextMeasure } from "./display-width.js";

/**
 * A Markdown table laid out for a terminal of a given width, so no line is wider than the screen
 * (a line the terminal wraps itself turns a table into noise). A table that fits is drawn at its
 * natural width. One that does not has its columns narrowed, wide ones first, and the text of its
 * cells wrapped inside them by display width. When even that cannot leave every column a readable
 * width, each row becomes a block of `header: value` lines instead.
 */

export type Align = "left" | "right" | "center" | null;

export interface TableCells {
  header: string[];
  rows: string[][];
  align: Align[];
}

export interface TableStyle {
  border: (text: string) => string;
  header: (text: string) => string;
}

/** Narrower than this (or than its own text, when that is shorter) a column stops being readable. */
export const MIN_COLUMN = 8;

const plain: TableStyle = { border: (s) => s, header: (s) => s };

/**
 * Contract: the table's lines, none wider than `columns` as `measure` counts (cells may carry
 * colour codes); a grid when every column can be given its natural width or at least
 * MIN_COLUMN, otherwise the record list of `recordLines`.
 */
export function layoutTable(table: TableCells, columns: number, measure: TextMeasure, style: TableStyle = plain): string[] {
  const count = table.header.length;
  const rows = table.rows.map((row) => Array.from({ length: count }, (_, i) => row[i] ?? ""));
  const natural = table.header.map((_, i) => Math.max(1, ...[table.header[i], ...rows.map((row) => row[i])].map((cell) => measure.width(cell))));
  // Each column costs its text, one space either side and one border; plus the closing border.
  const longestWord = table.header.map((_, i) =>
    Math.max(0, ...[table.header[i], ...rows.map((row) => row[i])].flatMap((cell) => cell.split(/\s+/).map((word) => measure.width(word)))),
  );
  const widths = fitColumns(natural, columns - (3 * count + 1), longestWord);
  if (!widths) return recordLines(table, columns, measure, style);
  const line = (left: string, middle: string, right: string) => style.border(left + widths.map((w) => "─".repeat(w + 2)).join(middle) + right);
  const bar = style.border("│");
  const drawRow = (cells: string[], paint: (text: string) => string) => {
    const wrapped = cells.map((cell, i) => measure.wrap(cell, widths[i]));
    const height = Math.max(...wrapped.map((lines) => lines.length));
    return Array.from({ length: height }, (_, row) =>
      `${bar}${wrapped.map((lines, i) => ` ${paint(pad(lines[row] ?? "", widths[i], table.align[i] ?? null, measure))} `).join(bar)}${bar}`,
    );
  };
  const body = rows.map((row) => drawRow(row, (s) => s));
  // Rows of one line each read fine unseparated; once a cell wraps, a rule shows where each row ends.
  const separated = body.some((lines) => lines.length > 1);
  const out = [line("┌", "┬", "┐"), ...drawRow(table.header, style.header), line("├", "┼", "┤")];
  body.forEach((lines, i) => {
    if (separated && i > 0) out.push(line("├", "┼", "┤"));
    out.push(...lines);
  });
  out.push(line("└", "┴", "┘"));
  return out;
}

/**
 * Contract: column widths summing to at most `room`: the natural widths when they fit; else every
 * column at least its longest word (when all of those fit) or min(natural, MIN_COLUMN), and the
 * rest shared so that narrow columns keep their whole text and the widest give way
 * (water-filling); undefined when even the minimums do not fit.
 */
export function fitColumns(natural: number[], room: number, longestWord: number[] = natural.map(() => 0)): number[] | undefined {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  if (sum(natural) <= room) return natural;
  const readable = natural.map((w) => Math.min(w, MIN_COLUMN));
  if (sum(readable) > room) return undefined;
  const whole = natural.map((w, i) => Math.max(readable[i], Math.min(w, longestWord[i])));
  const floor = sum(whole) <= room ? whole : readable;
  const at = (level: number) => natural.map((w, i) => Math.max(floor[i], Math.min(w, level)));
  let level = 0;
  while (sum(at(level + 1)) <= room) level++;
  const widths = at(level);
  // What is left goes to the widest columns still short of their text, one column each.
  let left = room - sum(widths);
  for (const i of natural.map((_, i) => i).sort((a, b) => natural[b] - natural[a])) {
    if (left > 0 && widths[i] < natural[i]) {
      widths[i]++;
      left--;
    }
  }
  return widths;
}

/**
 * Contract: the table as records, one block per row separated by a blank line, one
 * `header: value` line per cell, wrapped to `columns` with continuation lines indented two.
 */
export function recordLines(table: TableCells, columns: number, measure: TextMeasure, style: TableStyle = plain): string[] {
  const out: string[] = [];
  table.rows.forEach((row, r) => {
    if (r > 0) out.push("");
    table.header.forEach((header, i) => {
      const [first, ...rest] = measure.wrap(`${style.header(`${header}:`)} ${row[i] ?? ""}`, columns - 2);
      out.push(first, ...rest.map((line) => `  ${line}`));
    });
  });
  return out;
}

function pad(text: string, width: number, align: Align, measure: TextMeasure): string {
  const gap = Math.max(0, width - measure.width(text));
  if (align === "right") return " ".repeat(gap) + text;
  if (align === "center") return " ".repeat(Math.floor(gap / 2)) + text + " ".repeat(gap - Math.floor(gap / 2));
  return text + " ".repeat(gap);
}
